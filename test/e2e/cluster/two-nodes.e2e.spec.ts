import { SampleApi } from '../browser/support/sample-api.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { startSampleProcess, type SampleProcess } from '../../support/sample-process.js';
import { RawSseClient, postCommand } from '../../support/sse-client.js';
import { TestClient, type Frame } from '../../support/ws-client.js';

// Two sample processes and one redis-server (SAMPLE.md: REDIS_URL): every node answers alike.
describe('two sample nodes through one redis-server', () => {
  let redis: RedisServer;
  let nodes: SampleProcess[];
  let apis: SampleApi[];
  const clients: TestClient[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  const connect = async (node: number, userId: string) => {
    const token = await apis[node]!.login(userId);
    const { client, welcome } = await TestClient.connect(
      `${nodes[node]!.url.replace('http', 'ws')}channels`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    clients.push(client);
    return { client, welcome, token };
  };
  const pushesOf = (client: TestClient, channel: string) =>
    client.frames.filter((f) => f.channel === channel);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    redis = await startRedisServer();
    const env = { PORT: '0', REDIS_URL: redis.url, SAMPLE_TOKEN_SECRET: 'cluster-test-secret' };
    nodes = await Promise.all([startSampleProcess(env), startSampleProcess(env)]);
    apis = nodes.map((node) => new SampleApi(node.url));
  }, 60_000);
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await Promise.all((nodes ?? []).map((node) => node.stop()));
    await redis?.stop();
    expect(unhandled).toEqual([]);
    for (const node of nodes ?? []) expect(node.output()).not.toMatch(/Unhandled/);
  });

  it('delivers a notification POSTed to node B to a client on node A exactly once', async () => {
    const { client } = await connect(0, 'alice');
    expect((await client.request('subscribe', { channel: 'user:alice' })).data).toMatchObject({
      offset: 0,
    });
    const bob = await apis[1]!.login('bob');
    const id = await apis[1]!.notify(bob, 'alice', 'hello from B');
    const push = await client.next((f) => f.channel === 'user:alice');
    expect(push).toMatchObject({
      event: 'notification',
      offset: 1,
      data: { id, title: 'hello from B' },
    });
    // The notification store is shared too: node A lists what node B stored.
    expect((await client.request('notifications.list', {})).data).toMatchObject({
      items: [{ id }],
      unread: 1,
    });
    expect(await client.pushesWithin('user:alice', 300)).toEqual([]);
  });

  it('gives each of ten clients spread over both nodes one announcement', async () => {
    const spread = await Promise.all(
      Array.from({ length: 10 }, (_, i) => connect(i % 2, `user${i}`)),
    );
    await Promise.all(
      spread.map(({ client }) => client.request('subscribe', { channel: 'broadcast' })),
    );
    const token = spread[0]!.token;
    const id = await apis[1]!.announce(token, 'all hands');
    const got = await Promise.all(
      spread.map(({ client }) => client.next((f) => f.channel === 'broadcast' && f.data.id === id)),
    );
    expect(got).toHaveLength(10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const { client } of spread)
      expect(pushesOf(client, 'broadcast').filter((f) => f.data.id === id)).toEqual([]);
  });

  it('lets a client that dropped from node A recover exactly what it missed on node B', async () => {
    const a = await connect(0, 'carol');
    const joined = await a.client.request('subscribe', { channel: 'user:carol' });
    const sent = await apis[0]!.notify(a.token, 'carol', 'first');
    const seen = await a.client.next((f) => f.channel === 'user:carol');
    expect(seen.data.id).toBe(sent);
    a.client.close();
    await a.client.closed;
    const missed = [
      await apis[1]!.notify(a.token, 'carol', 'second'),
      await apis[0]!.notify(a.token, 'carol', 'third'),
    ];
    const b = await connect(1, 'carol');
    const resumed = await b.client.request('subscribe', {
      channel: 'user:carol',
      since: { epoch: joined.data.epoch, offset: seen.offset },
    });
    expect(resumed.data).toMatchObject({ recovered: true, offset: seen.offset + 2 });
    expect(resumed.data.missed.map((p: Frame) => p.data.id)).toEqual(missed);
  });

  it('keeps offsets 1..N in order when both nodes publish to one channel at once', async () => {
    const watchers = [await connect(0, 'dave'), await connect(1, 'dave')];
    for (const { client } of watchers) await client.request('subscribe', { channel: 'user:dave' });
    const token = watchers[0]!.token;
    const perNode = 20;
    await Promise.all(
      Array.from({ length: perNode * 2 }, (_, i) => apis[i % 2]!.notify(token, 'dave', `n${i}`)),
    );
    const expected = Array.from({ length: perNode * 2 }, (_, i) => i + 1);
    for (const { client } of watchers) {
      const offsets: number[] = [];
      for (let i = 0; i < expected.length; i++)
        offsets.push((await client.next((f) => f.channel === 'user:dave')).offset);
      expect(offsets).toEqual(expected);
    }
  });

  it('drives an SSE stream on node A with POSTs sent to node B', async () => {
    const token = await apis[0]!.login('gina');
    const auth = { Authorization: `Bearer ${token}` };
    const { client: stream, welcome } = await RawSseClient.connect(
      `${nodes[0]!.url}channels/sse`,
      auth,
    );
    try {
      const bound = { ...auth, 'X-Channels-Connection': welcome.json.connectionId };
      const toB = (command: unknown) =>
        postCommand(`${nodes[1]!.url}channels/messages`, command, bound);
      const subscribed = await toB({ id: 1, event: 'subscribe', data: { channel: 'user:gina' } });
      expect(subscribed.status).toBe(200);
      expect(subscribed.json).toMatchObject({ id: 1, data: { channel: 'user:gina', offset: 0 } });
      const id = await apis[1]!.notify(token, 'gina', 'over SSE');
      const [push] = await stream.pushes(1);
      expect(push!.json).toMatchObject({ channel: 'user:gina', offset: 1, data: { id } });
      // A command of the app's own, run on node A (which holds the stream), answered by B.
      const listed = await toB({ id: 2, event: 'notifications.list', data: {} });
      expect(listed.json).toMatchObject({ id: 2, data: { items: [{ id }], unread: 1 } });
      const invalid = await toB({ id: 3, event: 'notifications.markRead', data: { ids: [] } });
      expect(invalid.status).toBe(400);
      expect(invalid.json).toMatchObject({ id: 3, error: { code: 'VALIDATION_FAILED' } });
      const left = await toB({ id: 4, event: 'unsubscribe', data: { channel: 'user:gina' } });
      expect(left.status).toBe(200);
      await apis[1]!.notify(token, 'gina', 'not any more');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(stream.events.filter((e) => e.json?.channel === 'user:gina')).toEqual([]);
    } finally {
      stream.close();
    }
  });

  it('holds the per-IP connection rate limit across both nodes', async () => {
    // 600 per 10 s per IP (the default): alone, each node would let all of its 320 in.
    // Distinct users, so that no per-principal cap is what refuses them.
    // Logged in first, so that the 640 connections arrive within one window of the limit.
    const tokens = await Promise.all(
      Array.from({ length: 640 }, (_, i) => apis[i % 2]!.login(`erin${i}`)),
    );
    const outcomes = await Promise.all(
      tokens.map(async (token, i) => {
        const client = await TestClient.open(`${nodes[i % 2]!.url.replace('http', 'ws')}channels`, {
          headers: { Authorization: `Bearer ${token}` },
        }).catch(() => undefined);
        if (!client) return 'refused';
        clients.push(client);
        const first = await Promise.race([
          client.next((f) => f.event === 'connected').then(() => 'welcome'),
          client.closed.then(({ code }) => String(code)),
        ]);
        return first;
      }),
    );
    const admitted = outcomes.filter((o) => o === 'welcome').length;
    expect(admitted).toBeLessThanOrEqual(600);
    expect(admitted).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o !== 'welcome').every((o) => o === '4429')).toBe(true);
  });
});
