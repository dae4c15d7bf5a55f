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
  /**
   * How many `POST`s bound to an SSE stream that is not on this node (looked up on the other
   * nodes, then forwarded) one principal, and one client IP, may start per window; `false`
   * turns it off. Charged on the node that received the POST, to the principal's and the
   * address's budget both, before the stream is looked up, whether it exists or not (the
   * stream's node then charges the command to the stream's message budget as usual). Over it:
   * HTTP 429 `RATE_LIMITED` with `Retry-After`.
   * @default { points: 100, durationMs: 1000 }
   */
  forwarded?: Partial<RateLimitBudget> | false;
}
