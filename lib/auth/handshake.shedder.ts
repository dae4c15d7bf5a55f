import { Inject, Injectable } from '@nestjs/common';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';
import type { RateLimitBudget } from '../settings/rate-limit.budgets.js';
import type { ResolvedAdmission } from '../settings/admission.options.js';
import { OverloadMonitor } from './overload.monitor.js';

/**
 * Sheds new handshakes while this node is behind (the `admission` section: event-loop delay,
 * handshakes in flight), and over the fixed node-wide rate when one is configured
 * (`rateLimits.handshakeAdmission`, off by default). A shed handshake is answered "busy, retry
 * in …" (HTTP 503 with `Retry-After`, before any upgrade) with a jittered hint, so a reconnect
 * storm comes back spread out; no address is penalised for it. Everything counted is this
 * node's own: it protects this process.
 */
@Injectable()
export class HandshakeShedder {
  private readonly budget?: RateLimitBudget;
  private readonly limits: ResolvedAdmission;
  private windowStart = 0;
  private count = 0;
  private inFlight = 0;

  constructor(
    @Inject(CHANNELS_SETTINGS) settings: ChannelsSettings,
    private readonly monitor: OverloadMonitor,
  ) {
    this.budget = settings.rateLimits.handshakeAdmission || undefined;
    this.limits = settings.admission;
  }

  /**
   * Admits one handshake, or refuses it; an admitted one counts as in flight until the
   * returned function is called (once its guards have answered).
   * @throws ChannelsException `RATE_LIMITED` with status 503 and `retryAfterMs`
   */
  admit(now: number = Date.now()): () => void {
    this.screen(now);
    return this.enter();
  }

  /**
   * Refuses a handshake as {@link admit} does, without counting it in flight yet: for one that
   * waits its turn first (see `ConnectionAdmission.hold`), counted by {@link enter} once taken up.
   * @throws ChannelsException `RATE_LIMITED` with status 503 and `retryAfterMs`
   * @example shedder.screen(); queue.push(job); // later: const done = shedder.enter();
   */
  screen(now: number = Date.now()): void {
    this.assertUnderRate(now);
    this.assertNotBehind();
  }

  /**
   * Counts a handshake in flight, unchecked, until the returned function is called.
   * @example const done = shedder.enter(); try { await guards(); } finally { done(); }
   */
  enter(): () => void {
    this.inFlight += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight -= 1;
    };
  }

  /**
   * The answer to a handshake that waited its whole `handshakeTimeoutMs` for its turn (the
   * WebSocket transport paces a storm): the node is behind, so "busy, retry in …", HTTP 503
   * before the upgrade, with the same jittered hint as a shed one.
   * @example if (waitedMs >= timeoutMs) throw shedder.waitedTooLong();
   */
  waitedTooLong(): ChannelsException {
    return busy(Math.ceil(this.limits.retryAfterMs * (1 + Math.random())));
  }

  private assertNotBehind(): void {
    const { maxEventLoopDelayMs, maxHandshakesInFlight, retryAfterMs } = this.limits;
    const behind =
      (maxHandshakesInFlight !== false && this.inFlight >= maxHandshakesInFlight) ||
      (maxEventLoopDelayMs !== false && this.monitor.handshakeDelayMs() > maxEventLoopDelayMs);
    if (behind) throw busy(Math.ceil(retryAfterMs * (1 + Math.random())));
  }

  private assertUnderRate(now: number): void {
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
    throw busy(
      Math.ceil(waitMs + (windows - 1) * budget.durationMs + Math.random() * budget.durationMs),
    );
  }
}

function busy(retryAfterMs: number): ChannelsException {
  return new ChannelsException(
    ErrorCode.RATE_LIMITED,
    `The server is busy: retry in ${retryAfterMs} ms.`,
    { retryAfterMs, status: 503 },
  );
}
