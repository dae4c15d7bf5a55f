import { Inject, Injectable } from '@nestjs/common';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';
import type { RateLimitBudget } from '../settings/rate-limit.budgets.js';

/**
 * Sheds handshakes over the node-wide admission rate (`rateLimits.handshakeAdmission`): a reconnect
 * storm is answered "busy, retry in …" (HTTP 503 / close 1013) with a jittered hint that
 * spreads the retries over the next windows, instead of counting against anyone's address.
 * The count is this node's own (a fixed window in memory): it protects this process.
 */
@Injectable()
export class HandshakeShedder {
  private readonly budget?: RateLimitBudget;
  private windowStart = 0;
  private count = 0;

  constructor(@Inject(CHANNELS_SETTINGS) settings: ChannelsSettings) {
    this.budget = settings.rateLimits.handshakeAdmission || undefined;
  }

  /**
   * Admits one handshake, or refuses it.
   * @throws ChannelsException `RATE_LIMITED` with status 503 and `retryAfterMs`
   */
  admit(now: number = Date.now()): void {
    const budget = this.budget;
    if (!budget) return;
    if (now - this.windowStart >= budget.durationMs) {
      this.windowStart = now;
      this.count = 0;
    }
    if (++this.count <= budget.points) return;
    // Spread the retries over as many windows as the excess fills, plus jitter.
    const windows = Math.ceil((this.count - budget.points) / budget.points);
    const waitMs = budget.durationMs - (now - this.windowStart);
    const retryAfterMs = Math.ceil(
      waitMs + (windows - 1) * budget.durationMs + Math.random() * budget.durationMs,
    );
    throw new ChannelsException(
      ErrorCode.RATE_LIMITED,
      `The server is busy: retry in ${retryAfterMs} ms.`,
      { retryAfterMs, status: 503 },
    );
  }
}
