/**
 * What a message budget is keyed by: the connection a command came on (a `Connection`; this
 * is the part of it a key function may read, so settings need not know the connection model).
 * @example rateLimits: { message: { key: (client) => String(client.principal?.id ?? client.id) } }
 */
export interface RateLimitSubject {
  /** The connection's id. */
  readonly id: string;
  /** The connection's principal, when it has one. */
  readonly principal?: unknown;
}

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
 * The per-connection message limit (`rateLimits.message`). Every command counts
 * against it, the built-in `subscribe` / `unsubscribe` and unparseable frames included, except
 * the events that carry their own `@RateLimit`, which count in a bucket of their own.
 *
 * @example ChannelsModule.forRoot({ rateLimits: { message: { points: 20, durationMs: 1000, abuseThreshold: 10 } } })
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
  key?(connection: RateLimitSubject): string;
}

/** {@link MessageRateLimitOptions} with every default filled in. */
export type ResolvedMessageRateLimit = Required<MessageRateLimitOptions> & { defaultKey: boolean };

/**
 * The default budget of forwarded POSTs (`rateLimits.forwarded`): 100 per second per
 * principal, and as many per client IP.
 * @example ChannelsModule.forRoot({ rateLimits: { forwarded: { ...DEFAULT_FORWARDED_RATE_LIMIT, points: 20 } } })
 */
export const DEFAULT_FORWARDED_RATE_LIMIT: Readonly<RateLimitBudget> = {
  points: 100,
  durationMs: 1_000,
};

/**
 * The default message budget: 100 commands per second per connection.
 * @example ChannelsModule.forRoot({ rateLimits: { message: { ...DEFAULT_MESSAGE_RATE_LIMIT, points: 200 } } })
 */
export const DEFAULT_MESSAGE_RATE_LIMIT: Readonly<RateLimitBudget> = {
  points: 100,
  durationMs: 1_000,
};
/**
 * The default handshake budget: 600 new connections per 10 seconds per client IP.
 * @example
 * ChannelsModule.forRoot({ rateLimits: { connection: { ...DEFAULT_CONNECTION_RATE_LIMIT, points: 60 } } })
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
  const budget = resolveBudget(options, DEFAULT_MESSAGE_RATE_LIMIT, 'rateLimits.message');
  if (budget === false) return false;
  return {
    ...budget,
    abuseThreshold: options?.abuseThreshold ?? 50,
    abuseWindowMs: options?.abuseWindowMs ?? 10_000,
    key: options?.key ?? connectionIdKey,
    defaultKey: options?.key === undefined,
  };
}

/**
 * The fill-in of a fixed node-wide handshake rate (`rateLimits.handshakeAdmission`, off by
 * default: the default admission sheds by overload): 1,000 handshakes per second.
 * @example ChannelsModule.forRoot({ rateLimits: { handshakeAdmission: { ...DEFAULT_HANDSHAKE_ADMISSION, points: 300 } } })
 */
export const DEFAULT_HANDSHAKE_ADMISSION: Readonly<RateLimitBudget> = {
  points: 1_000,
  durationMs: 1_000,
};

/**
 * Fills in the defaults of a budget (`false` stays off) and checks it.
 * @example resolveBudget({ points: 60 }, DEFAULT_CONNECTION_RATE_LIMIT, 'rateLimits.connection') // { points: 60, durationMs: 10000 }
 */
export function resolveBudget(
  options: Partial<RateLimitBudget> | false | undefined,
  defaults: Readonly<RateLimitBudget>,
  where: string,
): RateLimitBudget | false {
  if (options === false) return false;
  return checkBudget(
    {
      points: options?.points ?? defaults.points,
      durationMs: options?.durationMs ?? defaults.durationMs,
    },
    where,
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

function connectionIdKey(connection: RateLimitSubject): string {
  return connection.id;
}
