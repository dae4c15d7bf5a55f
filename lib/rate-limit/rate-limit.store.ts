/**
 * What the module asks a {@link RateLimitStore} for: one limiter per budget.
 * @example { keyPrefix: 'msg', points: 100, durationMs: 1000 } // the default message limit
 */
export interface LimiterConfig {
  /**
   * Namespaces the limiter's keys: `msg`, `event:<event>` or `handshake` (a store may prefix it
   * further, as `RedisRateLimitStore` does with its own `keyPrefix`).
   */
  keyPrefix: string;
  /** Actions allowed per window. */
  points: number;
  /** The window, in milliseconds. */
  durationMs: number;
}

/**
 * The part of a limiter the module uses: every rate-limiter-flexible limiter
 * (`RateLimiterMemory`, `RateLimiterRedis`, …) is one, and so is anything with these two methods.
 * @example const limiter: RateLimiter = new RateLimiterMemory({ points: 10, duration: 1 });
 */
export interface RateLimiter {
  /**
   * Takes one point for `key`. Resolves when allowed; rejects with an object whose
   * `msBeforeNext` says how long to wait when over the budget, or with an `Error` when the
   * store failed (the action is then let through).
   */
  consume(key: string): Promise<unknown>;
  /** Frees `key`'s counter. */
  delete(key: string): Promise<unknown>;
}

/**
 * Where rate-limit counters live. The module asks it for one rate-limiter-flexible limiter per
 * budget (the message limit, each `@RateLimit` event, the handshake limit) and calls only
 * `consume` and `delete` on it. A `consume` that rejects with an `Error` (the store is down and
 * there is no insurance) lets the action through: a broken store never locks every client out.
 *
 * Extend it to use another rate-limiter-flexible backend:
 * @example
 * class MongoRateLimitStore extends RateLimitStore {
 *   createLimiter({ keyPrefix, points, durationMs }: LimiterConfig) {
 *     return new RateLimiterMongo({ storeClient: mongo, keyPrefix, points, duration: durationMs / 1000 });
 *   }
 * }
 */
export abstract class RateLimitStore {
  /** Builds the limiter of one budget. */
  abstract createLimiter(config: LimiterConfig): RateLimiter;
}
