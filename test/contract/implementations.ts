import {
  InMemoryBroadcastAdapter,
  InMemoryHistoryStore,
  RedisBroadcastAdapter,
  RedisConnection,
  RedisHistoryStore,
  type BroadcastAdapter,
  type HistoryStore,
} from '../../lib/index.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

/** One node of a contract test: its adapter and its history store, started. */
export interface ContractNode {
  adapter: BroadcastAdapter;
  history: HistoryStore;
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

const inMemory: Implementation = {
  name: 'in-memory',
  maxNodes: 1,
  setUp: async () => undefined,
  async nodes() {
    return [{ adapter: new InMemoryBroadcastAdapter(), history: new InMemoryHistoryStore() }];
  },
  async loseHistory(nodes) {
    // A restart of an in-memory store: a new one.
    for (const node of nodes) {
      await node.history.close();
      node.history = new InMemoryHistoryStore();
    }
  },
  tearDown: async () => undefined,
};

function redis(sharded: boolean): Implementation {
  let server: RedisServer;
  const opened: ContractNode[] = [];
  return {
    name: sharded ? 'redis (sharded pub/sub)' : 'redis',
    maxNodes: 3,
    async setUp() {
      server = await startRedisServer();
    },
    async nodes(count) {
      const made: ContractNode[] = [];
      for (let i = 0; i < count; i++) {
        const connection = await RedisConnection.create({ url: server.url, sharded });
        const node = {
          adapter: new RedisBroadcastAdapter(connection),
          history: new RedisHistoryStore(connection),
        };
        await Promise.all([node.adapter.start(), node.history.start()]);
        made.push(node);
      }
      opened.push(...made);
      return made;
    },
    async loseHistory(nodes) {
      const connection = (nodes[0]!.history as RedisHistoryStore).redis;
      await connection.client.flushall();
    },
    async tearDown() {
      for (const node of opened.splice(0)) {
        await node.adapter.close();
        await node.history.close();
      }
      await server.stop();
    },
  };
}

// A 3-master Redis Cluster, sharded pub/sub.
function redisCluster(): Implementation {
  let cluster: RedisCluster;
  const opened: ContractNode[] = [];
  return {
    name: 'redis cluster (3 masters, sharded pub/sub)',
    maxNodes: 3,
    async setUp() {
      cluster = await startRedisCluster();
    },
    async nodes(count) {
      const made: ContractNode[] = [];
      for (let i = 0; i < count; i++) {
        const connection = await RedisConnection.create({ cluster: cluster.nodes });
        const node = {
          adapter: new RedisBroadcastAdapter(connection),
          history: new RedisHistoryStore(connection),
        };
        await Promise.all([node.adapter.start(), node.history.start()]);
        made.push(node);
      }
      opened.push(...made);
      return made;
    },
    async loseHistory(nodes) {
      const { client } = (nodes[0]!.history as RedisHistoryStore).redis;
      const masters = 'nodes' in client ? client.nodes('master') : [client];
      await Promise.all(masters.map((master) => master.flushall()));
    },
    async tearDown() {
      for (const node of opened.splice(0)) {
        await node.adapter.close();
        await node.history.close();
      }
      await cluster?.stop();
    },
  };
}

/** Every implementation the contract suites run against. */
export const IMPLEMENTATIONS: Implementation[] = [
  inMemory,
  redis(false),
  redis(true),
  redisCluster(),
];

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
