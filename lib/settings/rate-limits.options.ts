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
   * A fixed cap on the handshakes this node admits per window, from all addresses together;
   * off unless set. The default admission sheds by overload instead (the `admission`
   * section), which welcomes every client the node can serve. Over this cap a handshake is
   * shed like an overloaded one: HTTP 503 with `Retry-After`, before the upgrade, spread over
   * the next windows; no address is penalised for it.
   * @default false
   */
  handshakeAdmission?: Partial<RateLimitBudget> | false;
}
