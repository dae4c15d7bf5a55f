import { ConsoleLogger, Logger } from '@nestjs/common';
import {
  ChannelsException,
  RedisBroker,
  RedisConnection,
  RedisHistoryStore,
} from '../../lib/index.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { pushesOf, until, type ContractNode } from './implementations.js';

/** Every line Nest's loggers write while it is in place, by level. */
class LineLogger extends ConsoleLogger {
  readonly lines: Array<{ level: string; text: string }> = [];
  override log(message: unknown) {
    this.lines.push({ level: 'log', text: String(message) });
  }
  override warn(message: unknown) {
    this.lines.push({ level: 'warn', text: String(message) });
  }
  override error(message: unknown) {
    this.lines.push({ level: 'error', text: String(message) });
  }
}

// What a node does while its Redis is away, and after it is back.
describe('RedisBroker when Redis goes away', () => {
  let redis: RedisServer;
  let broker: RedisBroker;
  let node: ContractNode;
  const logger = new LineLogger();

  beforeAll(async () => {
    Logger.overrideLogger(logger);
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
    Logger.overrideLogger(new ConsoleLogger());
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

  it('names the outage: every call rejects UNAVAILABLE, two log lines, and it is ready again soon after Redis answers', async () => {
    await broker.subscribe('o2:room');
    logger.lines.splice(0);

    await redis.stop();
    await until(() => !broker.isReady());
    const unavailable = { code: 'UNAVAILABLE', options: { retryAfterMs: 1000, status: 503 } };
    for (const call of [
      () => broker.publish('o2:room', 'e', 1),
      () => broker.history('o2:room'),
      () => broker.subscribe('o2:other'),
      () => broker.publishControl({ type: 'stats', requestId: 'r1', replyTo: broker.nodeId }),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChannelsException);
      expect(error).toMatchObject(unavailable);
    }
    // Long enough for several reconnect attempts of both connections.
    await new Promise((resolve) => setTimeout(resolve, 500));

    await redis.restart();
    const answered = performance.now();
    await until(() => broker.isReady(), 5_000);
    const backAfterMs = performance.now() - answered;
    // It tries every 100 ms at most (ioredis's default grows to 2 s).
    expect(backAfterMs).toBeLessThan(500);
    await expect(broker.history('o2:room')).resolves.toMatchObject({
      position: { offset: 0 },
    });
    await until(() => logger.lines.length >= 2, 5_000);
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        text: expect.stringMatching(/^Redis unreachable \((client|subscriber): .+\): reconnecting/),
      },
      { level: 'warn', text: expect.stringMatching(/^Redis reachable again after \d+ ms\.$/) },
    ]);
  });
});
