import type { PushFrame } from '../../../lib/client/index.js';
import { unpackFrame } from '../../../lib/protocol/msgpack.codec.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { waitFor } from '../../support/wait.js';
import { Dashboard, RecordedClient, startDeltaApp } from './delta-app.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

// Two nodes through one redis-server: each node computes its deltas from the pushes it
// received (the base is per node and channel, nothing about it goes through Redis).
describe('delta pushes on two nodes through Redis', () => {
  let redis: RedisServer;
  let nodes: Array<Awaited<ReturnType<typeof startDeltaApp>>>;
  const clients: RecordedClient[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const stores = { redis: { url: redis.url } };
    nodes = [await startDeltaApp(stores), await startDeltaApp(stores)];
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.client.close();
    for (const node of nodes ?? []) await node.app.close();
    await redis?.stop();
  });

  it('delta subscribers on both nodes, pushes published on both, one joining midway: each rebuilds every value', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const channel = 'status:two-nodes';
    const open = async (node: typeof a) => {
      const recorded = new RecordedClient(`${node.http}/channels`, 'json');
      clients.push(recorded);
      const got = new Map<number, unknown>();
      await recorded.client.subscribe(
        channel,
        (data, push: PushFrame) => got.set(push.offset, data),
        {
          delta: true,
        },
      );
      return { recorded, got };
    };
    const onA = await open(a);
    const onB = await open(b);
    const dashboard = new Dashboard();
    const published = new Map<number, unknown>();
    const publish = async (n: number) => {
      const data = dashboard.tick();
      const { offset } = await (n % 2 === 0 ? a : b).service.publish(channel, 'status', data);
      published.set(offset, data);
      await turn();
    };
    for (let n = 0; n < 50; n++) await publish(n);
    const late = await open(b);
    for (let n = 50; n < 100; n++) await publish(n);
    const last = Math.max(...published.keys());
    for (const { got } of [onA, onB, late])
      await waitFor(() => got.has(last), 15_000, 'the last push on every reader');

    expect(onA.got).toEqual(published);
    expect(onB.got).toEqual(published);
    for (const [at, value] of late.got) expect(value).toEqual(published.get(at));
    expect(late.got.size).toBeGreaterThanOrEqual(50);
    // Each reader got one full push, then deltas (this node's, from its previous push).
    for (const { recorded } of [onA, onB, late]) {
      const pushes = recorded.messages[0]!.map(
        (m) => (typeof m === 'string' ? JSON.parse(m) : unpackFrame(m)) as Record<string, unknown>,
      ).filter((f) => f.channel === channel && 'offset' in f && !('id' in f));
      expect(pushes[0]!.delta).toBeUndefined();
      expect(pushes.slice(1).every((f) => f.delta === true)).toBe(true);
    }
  }, 60_000);
});
