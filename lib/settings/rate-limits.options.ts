import type { MessageRateLimitOptions, RateLimitBudget } from './rate-limit.budgets.js';

/**
 * The rate limits (the `rateLimits` section of {@link ChannelsModuleOptions}): messages per
 * connection, connections per address and handshakes per node; `false` turns one off. Where
 * the counters live is `stores.rateLimit`.
 *
 * @example
 * ChannelsModule.forRoot({
 *   rateLimits: { message: { points: 20, durationMs: 1000 }, connection: { points: 100, durationMs: 10_000 } },
 * })
 */
export interface ChannelsRateLimitsOptions {
  /**
   * The per-connection message limit; `false` turns it off. Events with `@RateLimit` count in
   * their own budget instead.
   * @default { points: 100, durationMs: 1000, abuseThreshold: 50, abuseWindowMs: 10000 }
   */
  message?: MessageRateLimitOptions | false;
  /**
   * How many connections one client IP may open per window (before authentication); `false`
   * turns it off. Over it: 4429 on WebSocket, HTTP 429 on SSE, with `retryAfterMs`. Sized so
   * that 600 tabs behind one NAT address reconnect within 30 s after a deploy (docs/security.md).
   * @default { points: 600, durationMs: 10000 }
   */
  connection?: Partial<RateLimitBudget> | false;
  /**
   * How many handshakes this node admits per window, from all addresses together; `false`
   * turns it off. Over it, a handshake is shed with a retry hint (WebSocket close 1013 "Try
   * Again Later", SSE HTTP 503 with `Retry-After`), so a reconnect storm after a deploy is
   * spread out instead of locked out; no address is penalised for it.
   * @default { points: 1000, durationMs: 1000 }
   */
  handshakeAdmission?: Partial<RateLimitBudget> | false;
}
