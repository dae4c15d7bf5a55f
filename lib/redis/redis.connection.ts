import type { Cluster, Redis } from 'ioredis';
import type { BrokerErrorEvent } from '../connection/channels-event.types.js';
import type { ChannelsRedisOptions } from './redis.options.js';
import { RedisOutageLog } from './redis.outage-log.js';
import { redisRetryStrategy } from './redis.reconnect.js';

/**
 * The Redis clients of one node, shared by the Redis broker, history store and rate-limit
 * store: one for commands, one for subscriptions. `ioredis` is loaded only here, and only
 * when Redis is used, so an app without it loses nothing.
 *
 * @example
 * const redis = await RedisConnection.create({ url: process.env.REDIS_URL });
 * const history = new RedisHistoryStore(redis);
 * const broker = new RedisBroker(redis, history);
 */
export class RedisConnection {
  /** The prefix of every key. */
  readonly keyPrefix: string;
  /** Whether pushes use sharded pub/sub. */
  readonly sharded: boolean;
  /**
   * Where this node's Redis outages are logged, in two lines each (lost, back); the Redis
   * presence store that `stores.redis` makes logs its connections here too.
   */
  readonly outages = new RedisOutageLog();
  private starting?: Promise<void>;
  private users = 0;
  private reporter?: (event: BrokerErrorEvent) => void;
  private subscriberCaughtUp = false;
  private readonly unwatch: Array<() => void> = [];

  private constructor(
    /** The command client (publish, scripts, reads). */
    readonly client: Redis | Cluster,
    /** The subscriber client (SUBSCRIBE / SSUBSCRIBE). */
    readonly subscriber: Redis | Cluster,
    private readonly ownsClient: boolean,
    options: ChannelsRedisOptions,
  ) {
    this.keyPrefix = options.keyPrefix ?? 'channels';
    this.sharded = options.sharded ?? options.cluster !== undefined;
    // ioredis reconnects by itself: an outage is worth two lines (outages), and every failed
    // attempt is counted (broker.error), never a crash.
    for (const [name, redis] of [
      ['client', client],
      ['subscriber', subscriber],
    ] as const) {
      this.unwatch.push(this.outages.watch(name, redis));
      redis.on('error', (error: Error) =>
        this.reporter?.({ type: 'broker.error', operation: 'connection', error }),
      );
    }
    subscriber.on('ready', () => this.catchUp());
    subscriber.on('close', () => (this.subscriberCaughtUp = false));
  }

  /**
   * Makes the clients (not connected yet: {@link start} connects).
   * @throws Error saying to install `ioredis` when it is missing
   */
  static async create(options: ChannelsRedisOptions = {}): Promise<RedisConnection> {
    let ioredis: Pick<typeof import('ioredis'), 'Redis' | 'Cluster'>;
    try {
      const { Redis, Cluster } = await import('ioredis');
      ioredis = { Redis, Cluster };
    } catch (error) {
      throw new Error(
        `nestjs-channels: the redis option needs the ioredis package (npm i ioredis): ${String(error)}`,
      );
    }
    // No offline queue for commands: while Redis is away a command fails at once and the client
    // is answered UNAVAILABLE (it retries), instead of waiting in a queue the node would hold.
    // Reconnects every 100 ms at most, so a node is back soon after Redis is.
    if (options.cluster) {
      const common = {
        lazyConnect: true,
        clusterRetryStrategy: redisRetryStrategy,
        redisOptions: { retryStrategy: redisRetryStrategy, ...options.clientOptions },
      };
      const client = new ioredis.Cluster(options.cluster, { ...common, enableOfflineQueue: false });
      // Sharded pub/sub needs a subscriber per shard: ioredis keeps them.
      const subscriber = new ioredis.Cluster(options.cluster, {
        ...common,
        shardedSubscribers: true,
      });
      return new RedisConnection(client, subscriber, true, options);
    }
    const client =
      options.client ??
      new ioredis.Redis(options.url ?? 'redis://127.0.0.1:6379', {
        enableOfflineQueue: false,
        lazyConnect: true,
        retryStrategy: redisRetryStrategy,
        ...options.clientOptions,
      });
    // The subscriber queues (a SUBSCRIBE in flight when Redis went away is sent when it is back)
    // and never gives up on what it queued: the module subscribes to a channel only while Redis
    // is ready, so the queue holds at most one call per channel.
    const subscriber = client.duplicate({
      lazyConnect: true,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    return new RedisConnection(client, subscriber, options.client === undefined, options);
  }

  /** Connects both clients; resolves once both are ready. Safe to call from each user. */
  start(): Promise<void> {
    this.users++;
    this.starting ??= Promise.all([ready(this.client), ready(this.subscriber)]).then(
      () => this.catchUp(),
      (error: unknown) => {
        throw new Error(`nestjs-channels could not connect to Redis: ${String(error)}`);
      },
    );
    return this.starting;
  }

  /**
   * Where every error of the two clients (a failed connection or reconnection attempt) is
   * reported, as `broker.error` with `operation: 'connection'`. The first caller wins, so a
   * connection shared by the broker and the history store is counted once.
   */
  reportErrorsTo(report: (event: BrokerErrorEvent) => void): void {
    this.reporter ??= report;
  }

  /**
   * Whether both clients are connected now, and the subscriber has its channels back after a
   * reconnect (a subscribe answered now cannot miss this node's next push of its channel).
   */
  isReady(): boolean {
    return (
      this.client.status === 'ready' &&
      this.subscriber.status === 'ready' &&
      this.subscriberCaughtUp
    );
  }

  /** Disconnects, once its last user closed it (a client given in the options stays open). */
  async close(): Promise<void> {
    if (--this.users > 0) return;
    for (const unwatch of this.unwatch.splice(0)) unwatch();
    this.subscriber.disconnect();
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }

  // ioredis reports the subscriber ready before Redis confirmed the SUBSCRIBEs it sends again
  // after a reconnect; a PING sent now is answered after them.
  private async catchUp(): Promise<void> {
    const subscriber = this.subscriber;
    if (subscriber.isCluster) {
      this.subscriberCaughtUp = subscriber.status === 'ready';
      return;
    }
    this.subscriberCaughtUp = false;
    try {
      await subscriber.ping();
      this.subscriberCaughtUp = subscriber.status === 'ready';
    } catch {
      // Lost again before the answer: the next 'ready' tries again.
    }
  }
}

async function ready(client: Redis | Cluster): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') {
    await client.connect();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('end', () => reject(new Error('The Redis connection ended before it was ready.')));
  });
}
