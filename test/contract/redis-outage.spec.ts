import { RedisBroadcastAdapter, RedisConnection, RedisHistoryStore } from '../../lib/index.js';
import { RecordingConnection } from '../support/recording-connection.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { until } from './implementations.js';

// What a node does while its Redis is away, and after it is back.
describe('RedisBroadcastAdapter when Redis goes away', () => {
  let redis: RedisServer;
  let connection: RedisConnection;
  let adapter: RedisBroadcastAdapter;
  let history: RedisHistoryStore;

  beforeAll(async () => {
    redis = await startRedisServer();
    connection = await RedisConnection.create({ url: redis.url });
    adapter = new RedisBroadcastAdapter(connection);
    history = new RedisHistoryStore(connection);
    await Promise.all([adapter.start(), history.start()]);
  });
  afterAll(async () => {
    await adapter.close();
    await history.close();
    await redis.stop();
  });

  it('rejects a publish while Redis is unreachable, counts it, and resubscribes once it is back', async () => {
    const subscriber = new RecordingConnection();
    await adapter.addLocal('o1:room', subscriber);
    expect(adapter.isReady()).toBe(true);

    await redis.stop();
    await until(() => !adapter.isReady());
    await expect(adapter.publishNew(history, 'o1:room', 'e', 1)).rejects.toThrow();
    expect(adapter.publishFailures).toBe(1);
    expect(subscriber.pushes).toEqual([]);

    // Same port, empty: the clients reconnect, the subscriber resubscribes by itself.
    await redis.restart();
    await until(() => adapter.isReady(), 10_000);
    await until(async () => {
      await adapter.publishNew(history, 'o1:room', 'e', 2).catch(() => undefined);
      return subscriber.pushes.length > 0;
    }, 10_000);
    expect(subscriber.pushes[0]!.frame).toMatchObject({ channel: 'o1:room', data: 2 });
  });
});
