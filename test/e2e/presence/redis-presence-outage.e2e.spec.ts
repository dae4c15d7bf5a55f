import { Redis } from 'ioredis';
import { RedisPresenceStore } from '../../../lib/index.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';

// A node shutting down while its Redis is gone: the members it cannot remove expire with their
// TTL on the other nodes, so the close gives up on Redis instead of holding the shutdown.
describe('RedisPresenceStore shutdown during a Redis outage', () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server.stop());

  it('closes within its bound while redis-server is down (the members expire with their lease)', async () => {
    const client = new Redis(server.url);
    const store = new RedisPresenceStore({ client, ttlMs: 5_000, keyPrefix: 'outage' });
    await store.join('room:o', 'olga', { userId: 'olga' });
    await server.stop();
    const started = Date.now();
    await store.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    client.disconnect();
  }, 20_000);
});
