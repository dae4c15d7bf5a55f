import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChannelsEvents } from '../connection/channels.events.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { RateLimitBucket } from './rate-limit.bucket.js';
import { RateLimitStore } from './rate-limit.store.js';

/**
 * Charges each `POST` bound to an SSE stream that is not on this node to the `rateLimits.forwarded`
 * budget of its principal and of its address, before the stream is looked up: the lookup and
 * the forward cost the cluster whether the stream exists or not. Where the counters live is
 * `stores.rateLimit` (with a Redis store, the budget is shared by every node).
 *
 * @example await limiter.consume('alice', '203.0.113.7'); // throws RATE_LIMITED over the budget
 */
@Injectable()
export class ForwardedRateLimiter {
  private readonly logger = new Logger('Channels');
  private readonly bucket?: RateLimitBucket;

  constructor(
    @Inject(CHANNELS_SETTINGS) settings: ChannelsSettings,
    store: RateLimitStore,
    private readonly events: ChannelsEvents,
  ) {
    const budget = settings.rateLimits.forwarded;
    if (budget) this.bucket = new RateLimitBucket(store, 'fwd', budget, this.logger);
  }

  /**
   * Takes one point from the principal's budget (when there is a principal) and the address's.
   * @throws ChannelsException `RATE_LIMITED` with `retryAfterMs`, over either budget
   */
  async consume(principalKey: string | undefined, ip: string | undefined): Promise<void> {
    if (!this.bucket) return;
    const keys = [`ip:${ip ?? 'unknown'}`];
    if (principalKey !== undefined) keys.unshift(`principal:${principalKey}`);
    for (const key of keys) {
      const retryAfterMs = await this.bucket.take(key);
      if (retryAfterMs === undefined) continue;
      this.events.emit({ type: 'rate.limited', scope: 'forwarded', ip, retryAfterMs });
      throw new ChannelsException(
        ErrorCode.RATE_LIMITED,
        `Too many forwarded requests: retry in ${retryAfterMs} ms.`,
        { retryAfterMs },
      );
    }
  }
}
