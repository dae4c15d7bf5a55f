import type { Socket } from 'node:net';
import {
  ChannelsException,
  RedisBroker,
  RedisConnection,
  RedisHistoryStore,
  type BrokerMessage,
  type ChannelsRedisOptions,
} from '../../../lib/index.js';
import { startRedisCluster, type RedisCluster } from '../../support/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { waitFor } from '../../support/wait.js';

// A node's publishes of one event-loop turn reach Redis in one write and come back to every
// node in offset order, each answered on its own (issue 21: Redis costs what it must).

interface TurnNode {
  broker: RedisBroker;
  received: BrokerMessage[];
}
const opened: RedisBroker[] = [];

async function node(options: ChannelsRedisOptions): Promise<TurnNode> {
  const connection = await RedisConnection.create(options);
  const broker = new RedisBroker(connection, new RedisHistoryStore(connection));
  const received: BrokerMessage[] = [];
  broker.listen(
    (message) => received.push(message),
    () => undefined,
  );
  await broker.start();
  opened.push(broker);
  return { broker, received };
}

async function closeAll(): Promise<void> {
  for (const broker of opened.splice(0)) await broker.close();
}

// Ten publishes from `a` in one turn, alternating two channels, the fourth with an `except`:
// each answered with its channel's next offset, and both nodes receive each channel in order.
async function publishTen(a: TurnNode, b: TurnNode, prefix: string) {
  const [x, y] = [`${prefix}:x`, `${prefix}:y`];
  for (const { broker } of [a, b]) {
    await broker.subscribe(x);
    await broker.subscribe(y);
  }
  const pushes = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      a.broker.publish(i % 2 ? y : x, 'e', i, i === 3 ? ['c3'] : undefined),
    ),
  );
  expect(pushes.map((p) => `${p.channel}/${p.offset}`)).toEqual(
    [1, 1, 2, 2, 3, 3, 4, 4, 5, 5].map((offset, i) => `${i % 2 ? y : x}/${offset}`),
  );
  for (const { received } of [a, b]) {
    await waitFor(() => received.filter((m) => m.type === 'push').length === 10, 15_000);
    const seen = (channel: string) =>
      received.flatMap((m) =>
        m.type === 'push' && m.push.channel === channel
          ? [`${m.push.offset}:${String(m.push.data)}`]
          : [],
      );
    expect(seen(x)).toEqual(['1:0', '2:2', '3:4', '4:6', '5:8']);
    expect(seen(y)).toEqual(['1:1', '2:3', '3:5', '4:7', '5:9']);
    const excepted = received.filter((m) => m.type === 'push' && m.except !== undefined);
    expect(excepted).toEqual([expect.objectContaining({ except: ['c3'] })]);
  }
}

describe('RedisBroker: the publishes of one turn', () => {
  let server: RedisServer;

  beforeAll(async () => (server = await startRedisServer()), 30_000);
  afterAll(async () => {
    await closeAll();
    await server.stop();
  });

  // The command connection's socket writes while `work` runs.
  async function writesDuring<T>(broker: RedisBroker, work: () => Promise<T>) {
    const socket = (broker.redis.client as unknown as { stream: Socket }).stream;
    const write = socket.write;
    let writes = 0;
    socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
      writes++;
      return write.apply(this, args);
    } as Socket['write'];
    try {
      return { result: await work(), writes };
    } finally {
      socket.write = write;
    }
  }

  it('sends them in one write, keeps each channel in call order, and delivers them once to every node with their except', async () => {
    const a = await node({ url: server.url });
    const b = await node({ url: server.url });
    const { writes } = await writesDuring(a.broker, () => publishTen(a, b, 'turn'));
    // Ten publishes, and the four SUBSCRIBEs go on the subscriber connection.
    expect(writes).toBe(1);
  }, 40_000);

  // Calls of a script (by name, `eval` or `evalsha`) Redis has run, from INFO commandstats.
  async function scriptCalls(broker: RedisBroker): Promise<{ eval: number; evalsha: number }> {
    const info = await broker.redis.client.info('commandstats');
    const calls = (name: string) =>
      Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
    return { eval: calls('eval'), evalsha: calls('evalsha') };
  }

  it('sends scripts by their SHA1, and a turn that finds Redis without them (SCRIPT FLUSH) still runs each once, in order', async () => {
    const a = await node({ url: server.url });
    const b = await node({ url: server.url });
    await a.broker.publish('sha:warm', 'e', 0);
    const before = await scriptCalls(a.broker);
    await a.broker.publish('sha:warm', 'e', 1);
    const after = await scriptCalls(a.broker);
    expect(after.evalsha - before.evalsha).toBe(1);
    expect(after.eval - before.eval).toBe(0);
    // Redis loses its scripts (as after a restart): the turn's EVALSHAs are refused with
    // NOSCRIPT, did not run, and go again with their text; offsets and order as before.
    await a.broker.redis.client.script('FLUSH');
    await publishTen(a, b, 'sha');
    const flushed = await scriptCalls(a.broker);
    expect(flushed.eval - after.eval).toBe(10);
    // The append script is loaded again: the next publish goes by SHA1; the read script,
    // flushed too, is loaded by its first read (one EVAL), which answers the position.
    await a.broker.publish('sha:x', 'e', 10);
    const read = await a.broker.history('sha:x');
    expect(read.position.offset).toBe(6);
    const last = await scriptCalls(a.broker);
    expect(last.eval - flushed.eval).toBe(1);
  }, 40_000);

  it('fails only the publish whose script fails; the others of its turn go through', async () => {
    const a = await node({ url: server.url });
    // A key of the wrong type where the channel's metadata hash belongs: its script errors.
    await a.broker.redis.client.set('channels:{turn:bad}:m', 'not a hash');
    const settled = await Promise.allSettled([
      a.broker.publish('turn:ok', 'e', 1),
      a.broker.publish('turn:bad', 'e', 2),
      a.broker.publish('turn:ok', 'e', 3),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[2]).toMatchObject({ value: { offset: 2 } });
    const error = (settled[1] as PromiseRejectedResult).reason as Error;
    expect(error.message).toMatch(/WRONGTYPE/);
    expect(a.broker.publishFailures).toBe(1);
  });

  it('rejects every publish of a turn with UNAVAILABLE while the connection is down, and publishes again once it is back', async () => {
    const a = await node({ url: server.url });
    // The command connection is closed (as when Redis went away; the server keeps running, so
    // no other test can take its port meanwhile): the turn's publishes have nothing to go on.
    a.broker.redis.client.disconnect();
    await waitFor(() => !a.broker.isReady(), 15_000);
    const settled = await Promise.allSettled([
      a.broker.publish('turn:away', 'e', 1),
      a.broker.publish('turn:away', 'e', 2),
    ]);
    for (const result of settled) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ChannelsException);
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'UNAVAILABLE' });
    }
    await a.broker.redis.client.connect();
    await waitFor(() => a.broker.isReady(), 15_000);
    const pushes = await Promise.all([
      a.broker.publish('turn:away', 'e', 3),
      a.broker.publish('turn:away', 'e', 4),
    ]);
    expect(pushes.map((p) => p.offset)).toEqual([1, 2]);
  }, 40_000);
});

// On a Cluster a pipeline stays in one slot: one channel's publishes of a turn share one.
describe('RedisBroker on a Cluster: the publishes of one turn', () => {
  let cluster: RedisCluster;

  beforeAll(async () => (cluster = await startRedisCluster()), 90_000);
  afterAll(async () => {
    await closeAll();
    await cluster?.stop();
  });

  it('keeps each channel in call order and delivers them once to every node with their except', async () => {
    const a = await node({ cluster: cluster.nodes });
    const b = await node({ cluster: cluster.nodes });
    await publishTen(a, b, 'turn-cluster');
  }, 40_000);
});
