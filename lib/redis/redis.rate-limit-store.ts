import {
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { RateLimitStore, type LimiterConfig } from '../rate-limit/rate-limit.store.js';

/**
 * Options of {@link RedisRateLimitStore}.
 * @example
 * new RedisRateLimitStore({ client: new Redis(process.env.REDIS_URL), keyPrefix: 'myapp' })
 */
export interface RedisRateLimitStoreOptions {
  /**
   * A connected `ioredis` (or node-redis) client. The store never closes it: the app owns it.
   */
  client: object;
  /**
   * While Redis cannot be reached, count in memory instead (`insuranceLimiter`: a
   * `RateLimiterMemory` with the same budget), so limits still hold, per node.
   * @default true
   */
  insurance?: boolean;
  /**
   * Prefix of every Redis key, to share one Redis between apps.
   * @default 'channels'
   */
  keyPrefix?: string;
  /**
   * Answer from the insurance limiter at once while the client is not connected, instead of
   * queueing the command until it reconnects.
   * @default true
   */
  rejectIfRedisNotReady?: boolean;
}

/**
 * Counters in Redis (`RateLimiterRedis`), shared by every node: the handshake limit per IP then
 * holds across the cluster, and so does a message limit keyed by principal (`rateLimits.message.key`).
 * Windows are whole seconds in Redis: a `durationMs` is rounded up.
 *
 * @example
 * const redis = new Redis(process.env.REDIS_URL);
 * ChannelsModule.forRoot({
 *   stores: { rateLimit: new RedisRateLimitStore({ client: redis }) },
 *   rateLimits: { message: { key: (client) => `user:${String(client.principal ?? client.id)}` } },
 * })
 */
export class RedisRateLimitStore extends RateLimitStore {
  constructor(private readonly options: RedisRateLimitStoreOptions) {
    super();
  }

  createLimiter({ keyPrefix, points, durationMs }: LimiterConfig): RateLimiterAbstract {
    const duration = Math.max(1, Math.ceil(durationMs / 1000));
    const prefix = `${this.options.keyPrefix ?? 'channels'}:${keyPrefix}`;
    return new RateLimiterRedis({
      storeClient: this.options.client,
      keyPrefix: prefix,
      points,
      duration,
      rejectIfRedisNotReady: this.options.rejectIfRedisNotReady ?? true,
      insuranceLimiter:
        this.options.insurance === false
          ? undefined
          : new RateLimiterMemory({ keyPrefix: prefix, points, duration }),
    });
  }
}
