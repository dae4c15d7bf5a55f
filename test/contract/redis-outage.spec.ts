import { RedisBroker, RedisConnection, RedisHistoryStore } from '../../lib/index.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { pushesOf, until, type ContractNode } from './implementations.js';

// What a node does while its Redis is away, and after it is back.
describe('RedisBroker when Redis goes away', () => {
  let redis: RedisServer;
  let broker: RedisBroker;
  let node: ContractNode;

  beforeAll(async () => {
    redis = await startRedisServer();
    const connection = await RedisConnection.create({ url: redis.url });
    const history = new RedisHistoryStore(connection);
    broker = new RedisBroker(connection, history);
    node = { broker, history, received: [] };
    broker.listen(
      (message) => node.received.push(message),
      () => undefined,
    );
    await broker.start();
  });
  afterAll(async () => {
    await broker.close();
    await redis.stop();
  });

  it('rejects a publish while Redis is unreachable, counts it, and resubscribes once it is back', async () => {
    await broker.subscribe('o1:room');
    expect(broker.isReady()).toBe(true);

    await redis.stop();
    await until(() => !broker.isReady());
    await expect(broker.publish('o1:room', 'e', 1)).rejects.toThrow();
    expect(broker.publishFailures).toBe(1);
    expect(pushesOf(node, 'o1:room')).toEqual([]);

    // Same port, empty: the clients reconnect, the subscriber resubscribes by itself.
    await redis.restart();
    await until(() => broker.isReady(), 10_000);
    await until(async () => {
      await broker.publish('o1:room', 'e', 2).catch(() => undefined);
      return pushesOf(node, 'o1:room').length > 0;
    }, 10_000);
    expect(pushesOf(node, 'o1:room')[0]).toMatch(/:2$/);
  });
});
