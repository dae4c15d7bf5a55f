import { Logger } from '@nestjs/common';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitBudget } from '../settings/rate-limit.budgets.js';
import type { RateLimiter, RateLimitStore } from './rate-limit.store.js';

const STORE_ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * One budget's limiter, as the module uses it: take a point for a key, or learn how long to
 * wait. A store failure lets the action through and is logged (at most every 10 s), so an
 * outage of the store degrades limiting, never availability.
 */
export class RateLimitBucket {
  private readonly limiter: RateLimiter;
  private lastErrorLog = 0;

  constructor(
    store: RateLimitStore,
    readonly keyPrefix: string,
    readonly budget: RateLimitBudget,
    private readonly logger: Logger,
  ) {
    this.limiter = store.createLimiter({ keyPrefix, ...budget });
  }

  /** Takes one point. @returns `undefined` when allowed, else the milliseconds to wait. */
  async take(key: string): Promise<number | undefined> {
    try {
      await this.limiter.consume(key);
      return undefined;
    } catch (rejection) {
      if (isOverLimit(rejection)) return Math.max(1, Math.ceil(rejection.msBeforeNext));
      this.storeFailed(rejection);
      return undefined;
    }
  }

  /** Frees a key's counter (a connection-scoped key, when its connection closes). */
  forget(key: string): void {
    this.limiter.delete(key).catch((error: unknown) => this.storeFailed(error));
  }

  private storeFailed(error: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLog < STORE_ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog = now;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(
      `Rate limit store failed for "${this.keyPrefix}" (${reason}); letting requests through.`,
    );
  }
}

// A limiter rejects with a RateLimiterRes when over the budget, with an Error when its store
// fails. Duck-typed: a custom store may bring its own copy of rate-limiter-flexible.
function isOverLimit(rejection: unknown): rejection is RateLimiterRes {
  return (
    typeof rejection === 'object' &&
    rejection !== null &&
    !(rejection instanceof Error) &&
    typeof (rejection as { msBeforeNext?: unknown }).msBeforeNext === 'number'
  );
}
