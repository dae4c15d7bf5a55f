import { sleep } from '../support/wait.js';
import {
  BlockedWebSocket,
  Inbox,
  resubscribed,
  StateLog,
  useClientHarness,
  expectRefused,
  webSocketBlockedAtFirst,
} from './support/client-harness.js';

// The SDK on the module's real SSE transport (GET {path}/sse, POST {path}/messages).
describe('ChannelsClient over SSE + POST, against the module', () => {
  const harness = useClientHarness(
    { heartbeat: { intervalMs: 300 } },
    { token: 'alice-token', transports: ['sse'], random: () => 0 },
  );
  const client = harness.client;

  it('connects over SSE with the token as a Bearer header, and answers commands by POST', async () => {
    const c = client();
    const transports: string[] = [];
    c.on('transport', (t) => transports.push(t));
    await c.connect();
    expect(c.transport).toBe('sse');
    expect(transports).toEqual(['sse']);
    expect(await c.request('whoami')).toEqual({
      id: 'alice',
      token: 'alice-token',
      transport: 'sse',
    });
    expect(await c.request('echo', { a: [1] })).toEqual({ a: [1] });
  });

  it('delivers pushes in order, once, and stops after unsubscribe', async () => {
    const c = client();
    await c.connect();
    const inbox = new Inbox<number>();
    await c.subscribe('room:sse', inbox.handler);
    for (let n = 1; n <= 20; n++) await harness.server.channels.publish('room:sse', 'n', n);
    expect(await inbox.count(20)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await c.unsubscribe('room:sse');
    expect(harness.server.channels.subscriptionCount('room:sse')).toBe(0);
  });

  it('keeps pushes in order while a subscribe reply and live pushes race on separate requests', async () => {
    const c = client();
    await c.connect();
    const inbox = new Inbox<number>();
    let n = 0;
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        await harness.server.channels.publish('room:race', 'n', ++n);
        await sleep(1);
      }
    })();
    await c.subscribe('room:race', inbox.handler);
    await inbox.count(10);
    publishing = false;
    await publisher;
    await sleep(100);
    const got = inbox.items;
    // Whatever the subscribe started from, every later push arrived, in order, once.
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => got[0]! + i));
    expect(got[got.length - 1]).toBe(n);
  });

  it('rejects with the code, the details and the HTTP status of the answer', async () => {
    const c = client();
    await c.connect();
    await expect(c.request('greet', { name: '' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      details: [{ property: 'name', messages: [expect.any(String)] }],
    });
    await expect(c.request('nope')).rejects.toMatchObject({ code: 'UNKNOWN_EVENT', status: 404 });
    await expect(c.subscribe('user:bob', () => undefined)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      status: 403,
    });
  });

  it('resumes with since after the stream is lost, replaying what it missed', async () => {
    const c = client();
    await c.connect();
    const inbox = new Inbox<number>();
    await c.subscribe('room:resume', inbox.handler);
    await harness.server.channels.publish('room:resume', 'n', 1);
    await inbox.count(1);
    const away = new Promise<void>((resolve) => {
      const off = c.on('state', ({ state }) => {
        if (state !== 'reconnecting') return;
        off();
        for (const n of [2, 3, 4]) void harness.server.channels.publish('room:resume', 'n', n);
        resolve();
      });
    });
    const renewed = resubscribed(c, 'room:resume');
    harness.server.channels.disconnect({ connectionId: c.connectionId! }, 1012);
    await away;
    expect(await renewed).toMatchObject({ recovered: true });
    expect(await inbox.count(4)).toEqual([1, 2, 3, 4]);
  });

  it('refreshes the token when the stream is refused with 401', async () => {
    const issued = ['stale-token', 'alice-token'];
    let calls = 0;
    const c = client({ token: undefined, getToken: () => issued[calls++] });
    const log = new StateLog(c);
    await c.connect();
    expect(log.changes[1]).toMatchObject({ state: 'reconnecting', code: 4401 });
    expect(calls).toBe(2);
  });

  it('stops when the stream is refused with 403', async () => {
    await expectRefused(client({ token: 'banned-token' }), { code: 'FORBIDDEN' });
  });

  it('keeps a quiet stream: the : ping comments prove the server alive', async () => {
    const c = client({ heartbeatTimeoutMs: 300 });
    const log = new StateLog(c);
    await c.connect();
    await sleep(1_500);
    expect(log.states()).toEqual(['connecting', 'connected']);
  });

  it('falls back to SSE when the WebSocket constructor throws, with the same API', async () => {
    const c = client({ transports: undefined, WebSocket: BlockedWebSocket });
    await c.connect();
    expect(c.transport).toBe('sse');
    const inbox = new Inbox();
    await c.subscribe('room:fallback', inbox.handler);
    await harness.server.channels.publish('room:fallback', 'e', 'over sse');
    expect(await inbox.count(1)).toEqual(['over sse']);
    expect(await c.request('whoami')).toMatchObject({ transport: 'sse' });
  });

  it('tries WebSocket again later and moves to it without losing or repeating a push', async () => {
    const c = client({
      transports: undefined,
      WebSocket: webSocketBlockedAtFirst(),
      retryWebSocketMs: 300,
    });
    const transports: string[] = [];
    c.on('transport', (t) => transports.push(t));
    const inbox = new Inbox<number>();
    const subscribed = c.subscribe('room:upgrade', inbox.handler);
    await c.connect();
    await subscribed;
    expect(c.transport).toBe('sse');
    await harness.server.channels.publish('room:upgrade', 'n', 1);
    await inbox.count(1);
    const moved = new Promise<void>((resolve) =>
      c.on('transport', (t) => t === 'websocket' && resolve()),
    );
    await moved;
    await harness.server.channels.publish('room:upgrade', 'n', 2);
    expect(await inbox.count(2)).toEqual([1, 2]);
    expect(transports).toEqual(['sse', 'websocket']);
    expect(await c.request('whoami')).toMatchObject({ transport: 'websocket' });
  });
});
