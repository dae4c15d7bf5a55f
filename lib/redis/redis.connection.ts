import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { BrokerErrorEvent } from '../connection/channels-event.types.js';
import type { ChannelsRedisOptions } from './redis.options.js';

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
  private starting?: Promise<void>;
  private users = 0;
  private reporter?: (event: BrokerErrorEvent) => void;

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
    // ioredis reconnects by itself; an error is worth one line per outage, not a crash.
    const logger = new Logger('Channels');
    for (const [name, redis] of [
      ['client', client],
      ['subscriber', subscriber],
    ] as const) {
      let reported = false;
      redis.on('error', (error: Error) => {
        if (!reported) logger.warn(`Redis ${name}: ${error.message} (reconnecting)`);
        reported = true;
        this.reporter?.({ type: 'broker.error', operation: 'connection', error });
      });
      redis.on('ready', () => (reported = false));
    }
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
    if (options.cluster) {
      // A publish while the cluster is unreachable fails at once, for the caller to see.
      const common = { lazyConnect: true, redisOptions: options.clientOptions };
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
        ...options.clientOptions,
      });
    const subscriber = client.duplicate({ lazyConnect: true, enableOfflineQueue: true });
    return new RedisConnection(client, subscriber, options.client === undefined, options);
  }

  /** Connects both clients; resolves once both are ready. Safe to call from each user. */
  start(): Promise<void> {
    this.users++;
    this.starting ??= Promise.all([ready(this.client), ready(this.subscriber)]).then(
      () => undefined,
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

  /** Whether both clients are connected now. */
  isReady(): boolean {
    return this.client.status === 'ready' && this.subscriber.status === 'ready';
  }

  /** Disconnects, once its last user closed it (a client given in the options stays open). */
  async close(): Promise<void> {
    if (--this.users > 0) return;
    this.subscriber.disconnect();
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
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
