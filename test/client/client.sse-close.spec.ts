import { useClientHarness } from './support/client-harness.js';

// The server ends an SSE stream with `event: close` and the code a WebSocket client would get
// (docs/protocol.md, "SSE transport"): the client must act on that code as it does on a
// WebSocket close, not as on a stream that merely broke (1006).
describe('ChannelsClient over SSE and the server’s close event', () => {
  const harness = useClientHarness(
    {},
    {
      token: 'alice-token',
      transports: ['sse'],
      backoff: { initialMs: 20, maxMs: 400, factor: 2 },
      random: () => 0.5,
      tooManyDelayMs: 200,
    },
  );
  const client = harness.client;

  it('stops on 4403, with the server’s reason', async () => {
    const c = client();
    await c.connect();
    const log = harness.closeFromServer(c, 4403, 'kicked');
    expect(await log.until((s) => s.state !== 'connected')).toMatchObject({
      state: 'closed',
      code: 4403,
      reason: 'kicked',
      error: expect.objectContaining({ code: 'FORBIDDEN', message: 'kicked' }),
    });
    await expect(c.request('echo')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('stops on 1000', async () => {
    const c = client();
    await c.connect();
    const log = harness.closeFromServer(c, 1000, 'logged out');
    expect(await log.until((s) => s.state !== 'connected')).toMatchObject({
      state: 'closed',
      code: 1000,
      reason: 'logged out',
    });
  });

  it('refreshes the token with getToken on 4401, then reconnects with the new one', async () => {
    const { issued, getToken } = harness.issueTokens('alice');
    const c = client({ token: undefined, getToken });
    await c.connect();
    harness.server.tokens.users.delete('alice-1');
    const log = harness.closeFromServer(c, 4401, 'token expired');
    expect(await log.until((s) => s.state !== 'connected')).toMatchObject({
      state: 'reconnecting',
      code: 4401,
      reason: 'token expired',
    });
    await log.until((s) => s.state === 'connected');
    expect(issued).toEqual(['alice-1', 'alice-2']);
    expect(await c.request('whoami')).toMatchObject({ token: 'alice-2', transport: 'sse' });
  });

  it('waits the long delay after 4429', async () => {
    const c = client();
    await c.connect();
    const log = harness.closeFromServer(c, 4429, 'too many');
    expect(await log.until((s) => s.state !== 'connected')).toMatchObject({
      state: 'reconnecting',
      code: 4429,
      reason: 'too many',
      delayMs: 150,
    });
    await log.until((s) => s.state === 'connected');
  });

  it('reconnects on 1012 with backoff and the code, and recovers', async () => {
    const { c, inbox } = await harness.subscribedClient('room:sse-close');
    const log = harness.closeFromServer(c, 1012, 'restart');
    expect(await log.until((s) => s.state !== 'connected')).toMatchObject({
      state: 'reconnecting',
      code: 1012,
      reason: 'restart',
      delayMs: 10,
    });
    await log.until((s) => s.state === 'connected');
    await harness.server.channels.publish('room:sse-close', 'n', 'after');
    expect(await inbox.count(1)).toEqual(['after']);
  });
});
