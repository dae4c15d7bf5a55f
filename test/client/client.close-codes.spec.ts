import { backoffDelay, resolveBackoff } from '../../lib/client/backoff.js';
import {
  Inbox,
  resubscribed,
  startServer,
  StateLog,
  useClientHarness,
  expectRefused,
} from './support/client-harness.js';

// Short delays keep the suite fast; random 0.5 makes each delay predictable.
const backoff = { initialMs: 20, maxMs: 400, factor: 2 };
const random = () => 0.5;

describe('ChannelsClient and the close codes', () => {
  const harness = useClientHarness(
    { limits: { maxPayloadBytes: 1024 } },
    { token: 'alice-token', backoff, random, tooManyDelayMs: 200 },
  );
  const client = harness.client;

  it('refreshes the token with getToken on 4401, then reconnects with the new one', async () => {
    const { issued, getToken } = harness.issueTokens('alice');
    const c = client({ token: undefined, getToken });
    await c.connect();
    expect(await c.request('whoami')).toMatchObject({ token: 'alice-1' });
    harness.server.tokens.users.delete('alice-1');
    const log = harness.closeFromServer(c, 4401, 'token expired');
    await log.until((s) => s.state === 'connected');
    expect(log.changes[0]).toMatchObject({
      state: 'reconnecting',
      code: 4401,
      reason: 'token expired',
    });
    expect(issued).toEqual(['alice-1', 'alice-2']);
    expect(await c.request('whoami')).toMatchObject({ token: 'alice-2' });
  });

  it('asks getToken again when the handshake itself is refused with 4401', async () => {
    const issued = ['stale-token', 'alice-token'];
    let calls = 0;
    const c = client({ token: undefined, getToken: async () => issued[calls++] });
    const log = new StateLog(c);
    await c.connect();
    expect(log.states()).toEqual(['connecting', 'reconnecting', 'connected']);
    expect(log.changes[1]).toMatchObject({ code: 4401, reason: 'Unknown token.' });
    expect(calls).toBe(2);
  });

  it('stops on 4401 when it has no way to get another token', async () => {
    await expectRefused(client({ token: 'stale-token' }), { code: 'UNAUTHORIZED' });
  });

  it('stops on 4403, at the handshake or later', async () => {
    const banned = client({ token: 'banned-token' });
    await expectRefused(banned, { code: 'FORBIDDEN', message: 'Banned.' });

    const c = client();
    await c.connect();
    const log = harness.closeFromServer(c, 4403, 'kicked');
    const closed = await log.until((s) => s.state === 'closed');
    expect(closed).toMatchObject({
      code: 4403,
      error: expect.objectContaining({ code: 'FORBIDDEN' }),
    });
    await expect(c.request('echo')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('stops on 1000', async () => {
    const c = client();
    await c.connect();
    const log = harness.closeFromServer(c);
    expect(await log.until((s) => s.state === 'closed')).toMatchObject({ code: 1000 });
  });

  it.each([
    [1001, 0],
    [1012, 0],
    [4408, 0],
    [4008, 0],
    [1011, 2],
  ])(
    'reconnects on %i with jittered backoff from attempt %i, and recovers',
    async (code, attempt) => {
      const { c, inbox } = await harness.subscribedClient('room:codes');
      const log = harness.closeFromServer(c, code);
      const reconnecting = await log.until((s) => s.state === 'reconnecting');
      expect(reconnecting).toMatchObject({
        code,
        attempt: 1,
        delayMs: backoffDelay(attempt, resolveBackoff(backoff), random),
      });
      await log.until((s) => s.state === 'connected');
      await harness.server.channels.publish('room:codes', 'after', code);
      expect(await inbox.count(1)).toEqual([code]);
    },
  );

  it('waits the long delay after 4429', async () => {
    const c = client();
    await c.connect();
    const log = harness.closeFromServer(c, 4429, 'too many');
    expect(await log.until((s) => s.state === 'reconnecting')).toMatchObject({
      code: 4429,
      delayMs: 150,
    });
    await log.until((s) => s.state === 'connected');
  });

  it('fails the command that was too large (1009) and does not resend it', async () => {
    const c = client();
    await c.connect();
    const log = new StateLog(c);
    const tooBig = c.request('echo', 'x'.repeat(2048));
    await expect(tooBig).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(await log.until((s) => s.state === 'reconnecting')).toMatchObject({ code: 1009 });
    await log.until((s) => s.state === 'connected');
    expect(await c.request('echo', 'small')).toBe('small');
  });

  it('grows the delay while the server stays away, and comes back when it restarts', async () => {
    const own = await startServer();
    const c = client({ url: own.url });
    await c.connect();
    const inbox = new Inbox();
    const resets: string[] = [];
    c.on('reset', ({ channel }) => resets.push(channel));
    await c.subscribe('room:restart', inbox.handler);
    const log = new StateLog(c);
    await own.app.close(); // graceful: every socket gets 1001
    await log.until((s) => s.state === 'reconnecting' && (s.attempt ?? 0) >= 3);
    expect(log.changes[0]).toMatchObject({ state: 'reconnecting', code: 1001 });
    const delays = log.changes.filter((s) => s.state === 'reconnecting').map((s) => s.delayMs);
    expect(delays.slice(0, 3)).toEqual([10, 20, 40]);

    const renewed = resubscribed(c, 'room:restart');
    const again = await startServer({}, own.port);
    try {
      await log.until((s) => s.state === 'connected');
      // A new server has new history: the resubscribe cannot replay what was missed.
      expect(await renewed).toMatchObject({ recovered: false });
      await again.channels.publish('room:restart', 'back', 'again');
      expect(await inbox.count(1)).toEqual(['again']);
      expect(resets).toEqual(['room:restart']);
    } finally {
      c.close();
      await again.app.close();
    }
  });
});
