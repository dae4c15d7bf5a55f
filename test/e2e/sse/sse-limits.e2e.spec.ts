import { UseGuards, type INestApplication } from '@nestjs/common';
import {
  ChannelGateway,
  ChannelsModule,
  ChannelsService,
  MessageBody,
  OnJoin,
  OnMessage,
} from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { postCommand, RawSseClient } from '../../support/sse-client.js';
import { AUTH, tokenGuard } from '../../support/token.guard.js';

// The security limits hold on the SSE transport exactly as on WebSocket: caps, message rate
// limits and credential expiry go through the same admission, router and registry.

/** Token `<name>` is user <name>; `<name>.short` expires 300 ms after the handshake. */
const ExpiringTokenGuard = tokenGuard<{ id: string; expiresAt?: number }>((token = '') => {
  const [id, kind] = token.split('.');
  if (!id) return false;
  return { id, expiresAt: kind === 'short' ? Date.now() + 300 : undefined };
});

@ChannelGateway()
@UseGuards(ExpiringTokenGuard)
class LimitsGateway {
  @OnJoin('room:{roomId}')
  join() {
    return true;
  }

  @OnMessage('echo')
  echo(@MessageBody() data: unknown) {
    return data;
  }
}

describe('SSE: caps, rate limits and expiry', () => {
  let app: INestApplication;
  let base: string;
  const streams: RawSseClient[] = [];
  const open = async (token: string, query = '') => {
    const client = await RawSseClient.open(`${base}/sse${query}`, AUTH(token));
    streams.push(client);
    return client;
  };

  beforeAll(async () => {
    const started = await startApp({
      imports: [
        ChannelsModule.forRoot({
          auth: { handshakeGuards: [ExpiringTokenGuard] },
          limits: { maxConnectionsPerPrincipal: 2 },
          rateLimits: { message: { points: 3, durationMs: 60_000 }, connection: false },
        }),
      ],
      providers: [LimitsGateway],
    });
    app = started.app;
    base = `${started.http}/channels`;
  });
  afterEach(() => streams.splice(0).forEach((s) => s.request.destroy()));
  afterAll(() => app.close());

  it('refuses a stream over the per-principal cap with 429 and a JSON error, no stream', async () => {
    expect((await open('carol')).status).toBe(200);
    expect((await open('carol')).status).toBe(200);
    const third = await open('carol');
    expect(third.status).toBe(429);
    expect(third.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(await third.body())).toEqual({
      error: { code: 'RATE_LIMITED', message: expect.any(String) },
    });
    expect((await open('dave')).status).toBe(200);
  });

  it('answers a POST over the message rate limit with 429, Retry-After and retryAfterMs', async () => {
    const stream = await open('erin');
    const { json: welcome } = await stream.next((e) => e.event === 'connected');
    const headers = { ...AUTH('erin'), 'X-Channels-Connection': welcome.connectionId };
    for (let n = 1; n <= 3; n++)
      expect(
        (await postCommand(`${base}/messages`, { id: n, event: 'echo', data: n }, headers)).status,
      ).toBe(200);
    const limited = await postCommand(
      `${base}/messages`,
      { id: 4, event: 'echo', data: 4 },
      headers,
    );
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json).toEqual({
      id: 4,
      error: {
        code: 'RATE_LIMITED',
        message: expect.any(String),
        retryAfterMs: expect.any(Number),
      },
    });
  });

  it('closes a stream with 4401 when its credentials expire, and delivers nothing after', async () => {
    const stream = await open('frank.short', '?channel=room:exp');
    await stream.next((e) => e.event === 'connected');
    const closed = await stream.next((e) => e.event === 'close', 3000);
    expect(closed.json).toMatchObject({ code: 4401 });
    await app.get(ChannelsService).publish('room:exp', 'late', {});
    await stream.ended;
    expect(stream.events.filter((e) => e.event === 'late')).toEqual([]);
    expect(app.get(ChannelsService).subscriptionCount('room:exp')).toBe(0);
  });
});
