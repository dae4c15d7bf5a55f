/**
 * Admission by overload (the `admission` section of `ChannelsModuleOptions`): a node welcomes
 * every client it can serve and sheds new handshakes only while it is behind, before the
 * upgrade (HTTP 503 with `Retry-After`, on WebSocket and SSE alike). "Behind" is either
 * measure over its limit: the event-loop delay, or the handshakes in flight. `false` turns a
 * measure off. Per-address limits (`rateLimits.connection`, `limits.maxConnectionsPerIp`) are
 * separate and unchanged.
 *
 * @example ChannelsModule.forRoot({ admission: { maxEventLoopDelayMs: 500, maxHandshakesInFlight: 2_000 } })
 */
export interface ChannelsAdmissionOptions {
  /**
   * Shed while the event loop is this many ms behind, sustained: a 100 ms timer is read for
   * how late it fired (or, when the handshake is read, how long the loop has gone without
   * running it), and the smaller of two readings in a row counts, so one stall (the app's
   * start-up, a long GC) sheds nobody. A node busy in CPU-bound handlers is behind; a node
   * working through a burst of handshakes it can serve is not (the handshakes' own time is
   * not counted; a 5,000-client burst stays far below the default, docs/scaling.md).
   * @default 500
   */
  maxEventLoopDelayMs?: number | false;
  /**
   * Shed while this many handshakes are being admitted at once (their guards still running:
   * a slow auth service behind them piles them up).
   * @default 1000
   */
  maxHandshakesInFlight?: number | false;
  /**
   * The base of the retry hint: a shed client is told to retry after between 1x and 2x this
   * (uniform jitter, so a storm comes back spread out), in `Retry-After` (whole seconds) and
   * the body's `retryAfterMs`.
   * @default 1000
   */
  retryAfterMs?: number;
}

/**
 * The resolved `admission` section: plain numbers, `false` for a measure turned off.
 * @example const { maxEventLoopDelayMs } = settings.admission; // 500 by default
 */
export interface ResolvedAdmission {
  readonly maxEventLoopDelayMs: number | false;
  readonly maxHandshakesInFlight: number | false;
  readonly retryAfterMs: number;
}

/**
 * The default admission: shed at 500 ms of event-loop delay or 1,000 handshakes in flight,
 * retry after 1-2 s.
 * @example ChannelsModule.forRoot({ admission: { ...DEFAULT_ADMISSION, maxEventLoopDelayMs: 250 } })
 */
export const DEFAULT_ADMISSION: ResolvedAdmission = {
  maxEventLoopDelayMs: 500,
  maxHandshakesInFlight: 1_000,
  retryAfterMs: 1_000,
};

/**
 * Fills in the defaults of the `admission` section and checks it.
 * @throws Error naming the option, for a limit that is not a positive number (or `false`)
 * @example resolveAdmission({ maxHandshakesInFlight: false }).maxHandshakesInFlight // false
 */
export function resolveAdmission(options: ChannelsAdmissionOptions = {}): ResolvedAdmission {
  return {
    maxEventLoopDelayMs: limit(options, 'maxEventLoopDelayMs'),
    maxHandshakesInFlight: limit(options, 'maxHandshakesInFlight'),
    retryAfterMs: positive(options.retryAfterMs ?? DEFAULT_ADMISSION.retryAfterMs, 'retryAfterMs'),
  };
}

function limit(
  options: ChannelsAdmissionOptions,
  name: 'maxEventLoopDelayMs' | 'maxHandshakesInFlight',
): number | false {
  const value = options[name];
  if (value === false) return false;
  return positive(value ?? (DEFAULT_ADMISSION[name] as number), name);
}

function positive(value: number, name: string): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new Error(
      `admission.${name} must be a positive number (or false): got ${String(value)}.`,
    );
  }
  return value;
}
