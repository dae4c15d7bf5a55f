import { Redis } from 'ioredis';
import { InMemoryPresenceStore, RedisPresenceStore } from '../../../lib/index.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { presenceStoreContract } from './presence-store.contract.js';

// Every store implementation is listed here; each runs the whole contract.
presenceStoreContract({
  name: 'InMemoryPresenceStore',
  multiNode: false,
  create: async (nodes) => Array.from({ length: nodes }, () => new InMemoryPresenceStore()),
});

describe('with a real redis-server', () => {
  let server: RedisServer;
  let client: Redis;
  let run = 0;

  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url);
  });
  afterAll(async () => {
    client.disconnect();
    await server.stop();
  });

  presenceStoreContract({
    name: 'RedisPresenceStore',
    multiNode: true,
    // A key prefix per test: no test sees another's members.
    create: async (nodes) => {
      const keyPrefix = `contract:${++run}`;
      return Array.from({ length: nodes }, () => new RedisPresenceStore({ client, keyPrefix }));
    },
  });
});
