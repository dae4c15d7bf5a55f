import { Inject, Injectable, Logger } from '@nestjs/common';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';
import { RateLimitBucket } from './rate-limit.bucket.js';
import { ChannelsEvents } from '../connection/channels.events.js';
import { RateLimitStore } from './rate-limit.store.js';

/**
 * Limits how fast one client IP may open connections (`connectionRateLimit`), before its
 * credentials are even looked at: a reconnect storm or a handshake flood is refused cheaply.
 */
@Injectable()
export class HandshakeRateLimiter {
  private readonly bucket?: RateLimitBucket;

  constructor(
    @Inject(CHANNELS_SETTINGS) settings: ChannelsSettings,
    store: RateLimitStore,
    private readonly events: ChannelsEvents,
  ) {
    const budget = settings.rateLimits.connection;
    if (budget) {
      this.bucket = new RateLimitBucket(store, 'handshake', budget, new Logger('Channels'));
    }
  }

  /**
   * Whether a handshake rate is set (`rateLimits.connection`); without one, {@link consume}
   * does nothing and need not be awaited.
   * @default true (the module's default budget)
   */
  get limiting(): boolean {
    return this.bucket !== undefined;
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
