/**
 * The longest wait between two reconnect attempts to Redis, in milliseconds: a node is back at
 * most this long (plus a round trip) after Redis answers again.
 */
export const REDIS_RECONNECT_MAX_MS = 100;

/**
 * The module's ioredis `retryStrategy`: 20, 40, 80 ms, then every 100 ms for as long as Redis is
 * away. ioredis's own default grows to 2 s, so a node could stay away for 2 s after Redis came
 * back, answering `UNAVAILABLE` all that time; an attempt to a refused port costs next to
 * nothing, so the module tries often. A `retryStrategy` in `clientOptions` wins.
 * @param attempt the reconnect attempt, from 1 (as ioredis counts)
 * @returns the delay before it, in milliseconds
 * @example redisRetryStrategy(1) // 20
 * @example redisRetryStrategy(50) // 100
 */
export function redisRetryStrategy(attempt: number): number {
  const exponent = Math.min(Math.max(1, Math.floor(attempt)), 10);
  return Math.min(REDIS_RECONNECT_MAX_MS, 10 * 2 ** exponent);
}
