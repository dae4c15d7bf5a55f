import { httpCall } from '../../support/sse-client.js';
import { TestClient } from '../../support/ws-client.js';
import { startChannels, type ChannelsApp } from '../security/channels-app.js';

describe('node-wide handshake admission (rateLimits.handshakeAdmission)', () => {
  let channels: ChannelsApp;
  beforeAll(async () => {
    channels = await startChannels({
      rateLimits: { handshakeAdmission: { points: 2, durationMs: 60_000 } },
    });
  });
  afterAll(async () => {
    channels.closeClients();
    await channels.app.close();
  });

  it('sheds a storm with a retry hint (1013 / HTTP 503 Retry-After), not a lockout', async () => {
    await channels.connect();
    await channels.connect();
    const shed = await TestClient.open(channels.url);
    const closed = await shed.closed;
    expect(closed.code).toBe(1013);
    expect(closed.reason).toMatch(/^The server is busy: retry in \d+ ms\.$/);
    const sse = await httpCall(`${channels.http}/channels/sse`);
    expect(sse.status).toBe(503);
    expect(Number(sse.headers['retry-after'])).toBeGreaterThan(0);
    expect(sse.json.error).toMatchObject({ code: 'RATE_LIMITED', status: 503 });
    expect(sse.json.error.retryAfterMs).toBeGreaterThan(0);
  });
});
