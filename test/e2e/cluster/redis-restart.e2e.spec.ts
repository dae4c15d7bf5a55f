import { WebSocket } from 'ws';
import { ChannelsClient, type PushFrame } from '../../../lib/client/index.js';
import { SampleApi } from '../browser/support/sample-api.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { startSampleProcess, type SampleProcess } from '../../support/sample-process.js';

// redis-server killed (nothing persisted) and started again while two nodes serve clients.
describe('two sample nodes when redis-server restarts', () => {
  let redis: RedisServer;
  let nodes: SampleProcess[];
  let apis: SampleApi[];
  const clients: ChannelsClient[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const env = { PORT: '0', REDIS_URL: redis.url, SAMPLE_TOKEN_SECRET: 'restart-test-secret' };
    nodes = await Promise.all([startSampleProcess(env), startSampleProcess(env)]);
    apis = nodes.map((node) => new SampleApi(node.url));
  }, 60_000);
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await Promise.all((nodes ?? []).map((node) => node.stop()));
    await redis?.stop();
  });

  const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('resubscribes, resumes delivery, and tells each client its history was lost', async () => {
    const token = await apis[0]!.login('frank');
    const received: PushFrame[][] = [[], []];
    const resets = [0, 0];
    for (const node of [0, 1]) {
      const client = new ChannelsClient({
        url: `${nodes[node]!.url}channels`,
        token,
        WebSocket,
        // Node A's client on WebSocket, node B's on SSE: both repair the gap.
        transports: node === 0 ? ['websocket'] : ['sse'],
      });
      clients.push(client);
      await client.subscribe('user:frank', (_data, push) => received[node]!.push(push), {
        onReset: () => resets[node]!++,
      });
    }
    await apis[1]!.notify(token, 'frank', 'before');
    await until(() => received.every((r) => r.length === 1));

    await redis.restart();
    // The nodes reconnect and resubscribe by themselves. Until they have, a publish is refused
    // (503, UNAVAILABLE) or misses the node not back yet (pub/sub keeps nothing): the caller
    // publishes again, and the first push each client gets carries a new epoch, the history
    // having been lost with Redis, so each client is told so.
    await until(async () => {
      await apis[1]!.post('notifications', { userId: 'frank', title: 'after', body: '' }, token);
      return resets.every((n) => n === 1);
    });
    const next = await apis[0]!.notify(token, 'frank', 'next');
    await until(() => received.every((r) => r.some((p) => (p.data as { id: string }).id === next)));
    for (const pushes of received) {
      const ids = pushes.map((p) => (p.data as { id: string }).id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(pushes[0]!.epoch).not.toBe(pushes.at(-1)!.epoch);
    }
  });
});
