import { createSelfSignedCert, type SelfSignedCert } from '../../support/self-signed-cert.js';
import { TestClient } from '../../support/ws-client.js';
import { startChannels, type ChannelsApp } from './channels-app.js';
import { AuthGateway, OpenGateway, TokenGuard } from './gateways.js';

describe('security: over TLS (wss://)', () => {
  let tls: SelfSignedCert;
  let channels: ChannelsApp;
  let trusted: { ca: string };

  beforeAll(async () => {
    tls = createSelfSignedCert();
    trusted = { ca: tls.cert };
    channels = await startChannels(
      {
        auth: { allowedOrigins: ['https://app.example.com'] },
        rateLimits: { message: { points: 3, durationMs: 60_000 } },
        heartbeat: { intervalMs: 100, timeoutMs: 200 },
      },
      [AuthGateway, OpenGateway, TokenGuard],
      { httpsOptions: { key: tls.key, cert: tls.cert } },
    );
  });
  afterEach(() => channels.closeClients());
  afterAll(() => channels.app.close());

  it('serves the upgrade on wss:// and not on plain ws://', async () => {
    expect(channels.url.startsWith('wss://127.0.0.1:')).toBe(true);
    await expect(TestClient.open(channels.url.replace('wss://', 'ws://'))).rejects.toThrow();
    // An untrusted certificate fails the TLS handshake: TLS is really in the path.
    await expect(
      TestClient.open(channels.url, { headers: { authorization: 'Bearer user-alice' } }),
    ).rejects.toThrow(/self-signed certificate/);
  });

  it('authenticates, answers and limits as over plain HTTP', async () => {
    const { client, welcome } = await channels.connect({
      ...trusted,
      headers: { authorization: 'Bearer user-alice' },
    });
    expect(welcome.data.protocol).toBe(1);
    expect(await client.request('whoami')).toEqual({
      id: 1,
      data: { id: 'alice', transport: 'websocket' },
    });
    expect((await client.request('subscribe', { channel: 'user:alice' })).data.channel).toBe(
      'user:alice',
    );
    expect((await client.request('echo', 3)).data).toBe(3);
    expect((await client.request('echo', 4)).error).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: expect.any(Number),
    });
  });

  it('refuses bad credentials with 4401 and a foreign Origin with HTTP 403', async () => {
    const refused = await channels.open({ ...trusted, headers: { authorization: 'Bearer nope' } });
    expect(await refused.closed).toEqual({ code: 4401, reason: 'A valid token is required.' });
    await expect(
      TestClient.open(channels.url, {
        ...trusted,
        headers: { origin: 'https://evil.example', authorization: 'Bearer user-alice' },
      }),
    ).rejects.toThrow('HTTP 403');
  });

  it('cuts off a client that does not answer pings with 4408', async () => {
    const { client } = await channels.connect({
      ...trusted,
      autoPong: false,
      headers: { authorization: 'Bearer user-bob' },
    });
    expect(await client.closed).toEqual({ code: 4408, reason: 'heartbeat timeout' });
  });

  it('closes an oversized frame with 1009', async () => {
    const { client } = await channels.connect({
      ...trusted,
      headers: { authorization: 'Bearer user-carol' },
    });
    client.send(JSON.stringify({ event: 'echo', data: 'x'.repeat(70_000) }));
    expect((await client.closed).code).toBe(1009);
  });
});
