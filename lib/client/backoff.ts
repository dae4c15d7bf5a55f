/**
 * Reconnect delays: exponential backoff with full jitter, so that thousands of clients cut
 * off at the same moment (a deploy, a network blip) spread their reconnects over the window
 * instead of arriving together.
 */

/**
 * How reconnect delays grow (the client's `backoff` option).
 * @example new ChannelsClient({ url: '/channels', backoff: { initialMs: 1_000, maxMs: 30_000 } })
 */
export interface BackoffOptions {
  /**
   * The ceiling of the first delay, in milliseconds.
   * @default 500
   */
  initialMs?: number;
  /**
   * The largest ceiling, in milliseconds.
   * @default 20000
   */
  maxMs?: number;
  /**
   * How much the ceiling grows with each failed attempt.
   * @default 2
   */
  factor?: number;
}

/**
 * {@link BackoffOptions} with every default filled in.
 * @example
 * const slow: ResolvedBackoff = { initialMs: 1_000, maxMs: 60_000, factor: 3 };
 * backoffDelay(2, slow); // up to 9000 ms
 */
export type ResolvedBackoff = Required<BackoffOptions>;

/**
 * The default backoff: about 0.5 s, doubling, up to 20 s.
 * @example new ChannelsClient({ url: '/channels', backoff: { ...DEFAULT_BACKOFF, maxMs: 60_000 } })
 */
export const DEFAULT_BACKOFF: ResolvedBackoff = { initialMs: 500, maxMs: 20_000, factor: 2 };

/**
 * The delay before reconnect attempt `attempt` (0 for the first): a uniformly random value
 * between 0 and `min(maxMs, initialMs * factor ** attempt)` ("full jitter").
 *
 * @param random a source of numbers in [0, 1); inject one to make the schedule predictable
 * @example backoffDelay(3, DEFAULT_BACKOFF, () => 0.5) // 2000: half of the 4000 ms ceiling
 */
export function backoffDelay(
  attempt: number,
  options: ResolvedBackoff = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  return Math.floor(clampUnit(random()) * backoffCeiling(attempt, options));
}

/**
 * The ceiling of attempt `attempt`'s delay: the most {@link backoffDelay} can return,
 * `min(maxMs, initialMs * factor ** attempt)`.
 * @param options the schedule @default DEFAULT_BACKOFF
 * @example backoffCeiling(3) // 4000: min(20000, 500 * 2 ** 3)
 */
export function backoffCeiling(
  attempt: number,
  options: ResolvedBackoff = DEFAULT_BACKOFF,
): number {
  const exponent = Math.max(0, Math.floor(attempt));
  return Math.min(options.maxMs, options.initialMs * options.factor ** exponent);
}

/**
 * A long delay, for a server that said "too many" (close 4429): between half and all of
 * `baseMs` ("equal jitter": never short, still spread), and never before `retryAfterMs`.
 *
 * @example longDelay(30_000, () => 0) // 15000
 */
export function longDelay(
  baseMs: number,
  random: () => number = Math.random,
  retryAfterMs = 0,
): number {
  const jittered = Math.floor(baseMs / 2 + (clampUnit(random()) * baseMs) / 2);
  return Math.max(retryAfterMs, jittered);
}

/** Merges user backoff options over the defaults, rejecting values that make no sense. */
export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  const resolved = { ...DEFAULT_BACKOFF, ...stripUndefined(options) };
  if (
    !(resolved.initialMs > 0) ||
    !(resolved.maxMs >= resolved.initialMs) ||
    !(resolved.factor >= 1)
  ) {
    throw new RangeError('backoff needs initialMs > 0, maxMs >= initialMs and factor >= 1.');
  }
  return resolved;
}

function clampUnit(value: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
