import type { ChannelsClient } from '../../lib/client/index.js';
import {
  createClient,
  Inbox,
  resubscribed,
  startServer,
  StateLog,
  type TestServer,
} from './support/client-harness.js';

describe('ChannelsClient recovery after a reconnect', () => {
  const clients: ChannelsClient[] = [];
  const servers: TestServer[] = [];
  const start = async (history?: { size: number }) => {
    const server = await startServer(history ? { history } : {});
    servers.push(server);
    return server;
  };
  const connect = async (server: TestServer) => {
    // random 0: reconnect at once; the test publishes while the client is between connections.
    const c = createClient({ url: server.url, token: 'alice-token', random: () => 0 });
    clients.push(c);
    await c.connect();
    return c;
  };
  // Publishes the pushes the moment the client learns it lost its connection, before it can
  // reconnect: publishing records a push in history synchronously.
  const publishWhileAway = (
    c: ChannelsClient,
    server: TestServer,
    channel: string,
    values: number[],
  ) =>
    new Promise<void>((resolve) => {
      const off = c.on('state', ({ state }) => {
        if (state !== 'reconnecting') return;
        off();
        for (const n of values) void server.channels.publish(channel, 'n', n);
        resolve();
      });
    });

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await Promise.all(servers.splice(0).map((s) => s.app.close()));
  });

  it('replays what was published while it was away, in order, once, and stays live', async () => {
    const server = await start();
    const c = await connect(server);
    const inbox = new Inbox<number>();
    const resets: string[] = [];
    c.on('reset', ({ channel }) => resets.push(channel));
    await c.subscribe('room:r', inbox.handler);
    await server.channels.publish('room:r', 'n', 1);
    await server.channels.publish('room:r', 'n', 2);
    await inbox.count(2);

    const away = publishWhileAway(c, server, 'room:r', [3, 4, 5]);
    const renewed = resubscribed(c, 'room:r');
    server.channels.disconnect({ connectionId: c.connectionId! }, 1012, 'restart');
    await away;
    expect(await renewed).toEqual({ channel: 'room:r', resubscribed: true, recovered: true });
    expect(await inbox.count(5)).toEqual([1, 2, 3, 4, 5]);
    await server.channels.publish('room:r', 'n', 6);
    expect(await inbox.count(6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(resets).toEqual([]);
  });

  it('surfaces recovered: false as a reset, with no partial replay, when history lost the gap', async () => {
    const server = await start({ size: 2 });
    const c = await connect(server);
    const inbox = new Inbox<number>();
    let onResetCalls = 0;
    const resets: string[] = [];
    c.on('reset', ({ channel }) => resets.push(channel));
    await c.subscribe('room:r', inbox.handler, { onReset: () => onResetCalls++ });
    await server.channels.publish('room:r', 'n', 1);
    await inbox.count(1);

    const away = publishWhileAway(c, server, 'room:r', [2, 3, 4]);
    const renewed = resubscribed(c, 'room:r');
    server.channels.disconnect({ connectionId: c.connectionId! }, 1012);
    await away;
    expect(await renewed).toEqual({ channel: 'room:r', resubscribed: true, recovered: false });
    expect(resets).toEqual(['room:r']);
    expect(onResetCalls).toBe(1);
    await server.channels.publish('room:r', 'n', 5);
    expect(await inbox.count(2)).toEqual([1, 5]);
  });

  it('resubscribes every channel after a reconnect, and only those still wanted', async () => {
    const server = await start();
    const c = await connect(server);
    const a = new Inbox();
    const b = new Inbox();
    await c.subscribe('room:a', a.handler);
    const sub = await c.subscribe('room:b', b.handler);
    await sub.unsubscribe();
    const renewed = resubscribed(c, 'room:a');
    server.channels.disconnect({ connectionId: c.connectionId! }, 4008, 'slow consumer');
    await renewed;
    expect(server.channels.subscriptionCount('room:a')).toBe(1);
    expect(server.channels.subscriptionCount('room:b')).toBe(0);
  });

  it('fails a request in flight with DISCONNECTED and never resends it', async () => {
    const server = await start();
    const c = await connect(server);
    const inFlight = c.request('slow', { ms: 300 });
    await new Promise((r) => setTimeout(r, 20));
    const log = new StateLog(c);
    server.channels.disconnect({ connectionId: c.connectionId! }, 1012);
    await expect(inFlight).rejects.toMatchObject({ code: 'DISCONNECTED' });
    await log.until((s) => s.state === 'connected');
    expect(await c.request('echo', 'next')).toBe('next');
  });
});
