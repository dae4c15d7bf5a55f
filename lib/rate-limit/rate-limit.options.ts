import type { Connection } from '../connection/connection.js';

/**
 * A budget: at most `points` actions in each window of `durationMs`.
 *
 * @example { points: 5, durationMs: 10_000 } // five per ten seconds
 */
export interface RateLimitBudget {
  /** Actions allowed in one window. */
  points: number;
  /** The window, in milliseconds (a Redis store rounds it up to whole seconds). */
  durationMs: number;
}

/**
 * The per-connection message limit (`ChannelsModuleOptions.rateLimit`). Every command counts
 * against it, the built-in `subscribe` / `unsubscribe` and unparseable frames included, except
 * the events that carry their own `@RateLimit`, which count in a bucket of their own.
 *
 * @example ChannelsModule.forRoot({ rateLimit: { points: 20, durationMs: 1000, abuseThreshold: 10 } })
 */
export interface MessageRateLimitOptions extends Partial<RateLimitBudget> {
  /**
   * How many rejected commands within `abuseWindowMs` make a connection abusive: it is
   * closed with 4429.
   * @default 50
   */
  abuseThreshold?: number;
  /**
   * The window of `abuseThreshold`, in milliseconds.
   * @default 10000
   */
  abuseWindowMs?: number;
  /**
   * What a bucket belongs to. The default, the connection id, keeps one bucket per connection
   * (freed when it closes); key by principal to share a budget between a user's connections
   * and, with a Redis store, between nodes.
   * @default (connection) => connection.id
   */
  key?: (connection: Connection) => string;
}

/** {@link MessageRateLimitOptions} with every default filled in. */
export type ResolvedMessageRateLimit = Required<MessageRateLimitOptions> & { defaultKey: boolean };

/**
 * The default message budget: 100 commands per second per connection.
 * @example ChannelsModule.forRoot({ rateLimit: { ...DEFAULT_MESSAGE_RATE_LIMIT, points: 200 } })
 */
export const DEFAULT_MESSAGE_RATE_LIMIT: Readonly<RateLimitBudget> = {
  points: 100,
  durationMs: 1_000,
};
/**
 * The default handshake budget: 600 new connections per 10 seconds per client IP.
 * @example
 * ChannelsModule.forRoot({ connectionRateLimit: { ...DEFAULT_CONNECTION_RATE_LIMIT, points: 60 } })
 */
export const DEFAULT_CONNECTION_RATE_LIMIT: Readonly<RateLimitBudget> = {
  points: 600,
  durationMs: 10_000,
};

/** Fills in the defaults of the message limit; `false` stays off. */
export function resolveMessageRateLimit(
  options: MessageRateLimitOptions | false | undefined,
): ResolvedMessageRateLimit | false {
  if (options === false) return false;
  const budget = checkBudget(
    {
      points: options?.points ?? DEFAULT_MESSAGE_RATE_LIMIT.points,
      durationMs: options?.durationMs ?? DEFAULT_MESSAGE_RATE_LIMIT.durationMs,
    },
    'rateLimit',
  );
  return {
    ...budget,
    abuseThreshold: options?.abuseThreshold ?? 50,
    abuseWindowMs: options?.abuseWindowMs ?? 10_000,
    key: options?.key ?? connectionIdKey,
    defaultKey: options?.key === undefined,
  };
}

/** Fills in the defaults of the handshake limit; `false` stays off. */
export function resolveConnectionRateLimit(
  options: Partial<RateLimitBudget> | false | undefined,
): RateLimitBudget | false {
  if (options === false) return false;
  return checkBudget(
    {
      points: options?.points ?? DEFAULT_CONNECTION_RATE_LIMIT.points,
      durationMs: options?.durationMs ?? DEFAULT_CONNECTION_RATE_LIMIT.durationMs,
    },
    'connectionRateLimit',
  );
}

/**
 * Checks a budget, as `@RateLimit` and the options declare it.
 * @throws Error naming the option, for a budget that is not two positive numbers
 */
export function checkBudget(budget: RateLimitBudget, where: string): RateLimitBudget {
  const { points, durationMs } = budget;
  if (
    !Number.isSafeInteger(points) ||
    points < 1 ||
    !Number.isFinite(durationMs) ||
    durationMs <= 0
  ) {
    throw new Error(
      `${where}: points must be a positive integer and durationMs a positive number of milliseconds.`,
    );
  }
  return { points, durationMs };
}

function connectionIdKey(connection: Connection): string {
  return connection.id;
}
