import { Inject, Injectable, Logger } from '@nestjs/common';
import { RESOLVED_OPTIONS, type ResolvedChannelsOptions } from '../channels.options.js';
import { ChannelsException } from '../exceptions/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';
import { RateLimitBucket } from './rate-limit.bucket.js';
import { ChannelsEvents } from '../events/channels.events.js';
import { resolveConnectionRateLimit } from './rate-limit.options.js';

/**
 * Limits how fast one client IP may open connections (`connectionRateLimit`), before its
 * credentials are even looked at: a reconnect storm or a handshake flood is refused cheaply.
 */
@Injectable()
export class HandshakeRateLimiter {
  private readonly bucket?: RateLimitBucket;

  constructor(
    @Inject(RESOLVED_OPTIONS) options: ResolvedChannelsOptions,
    private readonly events: ChannelsEvents,
  ) {
    const budget = resolveConnectionRateLimit(options.connectionRateLimit);
    if (budget) {
      this.bucket = new RateLimitBucket(
        options.rateLimitStore,
        'handshake',
        budget,
        new Logger('Channels'),
      );
    }
  }

  /**
   * Counts one connection attempt from `ip` (no IP: not limited).
   * @throws ChannelsException `RATE_LIMITED` with `retryAfterMs`, over the budget
   */
  async consume(ip: string | undefined): Promise<void> {
    if (!this.bucket || ip === undefined) return;
    const retryAfterMs = await this.bucket.take(ip);
    if (retryAfterMs !== undefined) {
      this.events.emit({ type: 'rate.limited', scope: 'handshake', ip, retryAfterMs });
      throw new ChannelsException(
        ErrorCode.RATE_LIMITED,
        `Too many connection attempts: retry in ${retryAfterMs} ms.`,
        {
          retryAfterMs,
        },
      );
    }
  }
}
