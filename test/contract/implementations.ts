import {
  InMemoryBroker,
  InMemoryHistoryStore,
  RedisBroker,
  RedisConnection,
  RedisHistoryStore,
  type Broker,
  type BrokerMessage,
  type HistoryStore,
} from '../../lib/index.js';
import { InProcessBus, InProcessBusBroker } from '../../docs/examples/in-process-bus.broker.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

/** One node of a contract test: its broker (started, listened to) and its history store. */
export interface ContractNode {
  broker: Broker;
  history: HistoryStore;
  /** Everything the broker handed this node, in order. */
  received: BrokerMessage[];
}

/** An implementation under the contract suites: how to make nodes that share one backend. */
export interface Implementation {
  name: string;
  /** How many nodes may share the backend (1: a single-node implementation). */
  maxNodes: number;
  setUp(): Promise<void>;
  /** Makes and starts `count` nodes on one shared backend. */
  nodes(count: number): Promise<ContractNode[]>;
  /** Loses every channel's history (a backend restart without persistence). */
  loseHistory(nodes: ContractNode[]): Promise<void>;
  tearDown(): Promise<void>;
}

async function started(broker: Broker, history: HistoryStore): Promise<ContractNode> {
  const node: ContractNode = { broker, history, received: [] };
  broker.listen(
    (message) => node.received.push(message),
    () => undefined,
  );
  await broker.start();
  return node;
}

const inMemory: Implementation = {
  name: 'in-memory',
  maxNodes: 1,
  setUp: async () => undefined,
  async nodes() {
    const history = new InMemoryHistoryStore();
    return [await started(new InMemoryBroker(history), history)];
  },
  async loseHistory(nodes) {
    // A restart of an in-memory store: a new one, and a broker over it.
    for (const node of nodes) {
      await node.broker.close();
      node.history = new InMemoryHistoryStore();
      const fresh = await started(new InMemoryBroker(node.history), node.history);
      node.broker = fresh.broker;
      node.received = fresh.received;
    }
  },
  tearDown: async () => undefined,
};

// docs/broker.md's example: nodes in one process on one bus, sequenced by one shared store.
function inProcessBus(): Implementation {
  let bus: InProcessBus;
  let history: InMemoryHistoryStore;
  const opened: ContractNode[] = [];
  return {
    name: 'in-process bus (docs/broker.md)',
    maxNodes: 3,
    async setUp() {
      bus = new InProcessBus();
      history = new InMemoryHistoryStore();
    },
    async nodes(count) {
      const made: ContractNode[] = [];
      for (let i = 0; i < count; i++)
        made.push(await started(new InProcessBusBroker(bus, history), history));
      opened.push(...made);
      return made;
    },
    async loseHistory(nodes) {
      await history.close();
      history = new InMemoryHistoryStore();
      for (const node of nodes) {
        await node.broker.close();
        const fresh = await started(new InProcessBusBroker(bus, history), history);
        Object.assign(node, fresh);
      }
    },
    async tearDown() {
      for (const node of opened.splice(0)) await node.broker.close();
      await history.close();
    },
  };
}

function redisNodes(connect: () => Promise<RedisConnection>) {
  const opened: ContractNode[] = [];
  return {
    opened,
    async nodes(count: number): Promise<ContractNode[]> {
      const made: ContractNode[] = [];
      for (let i = 0; i < count; i++) {
        const connection = await connect();
        const history = new RedisHistoryStore(connection);
        made.push(await started(new RedisBroker(connection, history), history));
      }
      opened.push(...made);
      return made;
    },
    async close(): Promise<void> {
      for (const node of opened.splice(0)) await node.broker.close();
    },
  };
}

function redis(sharded: boolean): Implementation {
  let server: RedisServer;
  const pool = redisNodes(() => RedisConnection.create({ url: server.url, sharded }));
  return {
    name: sharded ? 'redis (sharded pub/sub)' : 'redis',
    maxNodes: 3,
    async setUp() {
      server = await startRedisServer();
    },
    nodes: (count) => pool.nodes(count),
    async loseHistory(nodes) {
      await (nodes[0]!.history as RedisHistoryStore).redis.client.flushall();
    },
    async tearDown() {
      await pool.close();
      await server.stop();
    },
  };
}

// A 3-master Redis Cluster, sharded pub/sub.
function redisCluster(): Implementation {
  let cluster: RedisCluster;
  const pool = redisNodes(() => RedisConnection.create({ cluster: cluster.nodes }));
  return {
    name: 'redis cluster (3 masters, sharded pub/sub)',
    maxNodes: 3,
    async setUp() {
      cluster = await startRedisCluster();
    },
    nodes: (count) => pool.nodes(count),
    async loseHistory(nodes) {
      const { client } = (nodes[0]!.history as RedisHistoryStore).redis;
      const masters = 'nodes' in client ? client.nodes('master') : [client];
      await Promise.all(masters.map((master) => master.flushall()));
    },
    async tearDown() {
      await pool.close();
      await cluster?.stop();
    },
  };
}

/** Every implementation the contract suites run against. */
export const IMPLEMENTATIONS: Implementation[] = [
  inMemory,
  inProcessBus(),
  redis(false),
  redis(true),
  redisCluster(),
];

/** The pushes a node received, as `offset:data` strings, in order. */
export function pushesOf(node: ContractNode, channel: string): string[] {
  return node.received.flatMap((m) =>
    m.type === 'push' && m.push.channel === channel
      ? [`${m.push.offset}:${String(m.push.data)}`]
      : [],
  );
}

/** Waits until `check` holds (polling), or fails after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
