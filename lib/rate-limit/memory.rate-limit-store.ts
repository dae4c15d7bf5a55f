import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitStore, type LimiterConfig } from './rate-limit.store.js';

/**
 * The default store: counters in this process's memory (`RateLimiterMemory`), each one freed
 * when its window ends. Limits are per node.
 *
 * @example ChannelsModule.forRoot({ stores: { rateLimit: new MemoryRateLimitStore() } })
 */
export class MemoryRateLimitStore extends RateLimitStore {
  createLimiter({ keyPrefix, points, durationMs }: LimiterConfig): RateLimiterAbstract {
    return new RateLimiterMemory({ keyPrefix, points, duration: durationMs / 1000 });
  }
}
