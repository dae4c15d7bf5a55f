import { ChannelsError } from './channels.error.js';
import { backgroundTimeout, type TimerHandle } from './timers.js';

/** The wait when the server said `UNAVAILABLE` without `retryAfterMs`, in milliseconds. */
const DEFAULT_RETRY_AFTER_MS = 1_000;
/** How much longer than `retryAfterMs` the wait may grow, at most. */
const MAX_GROWTH = 8;

/**
 * The wait before sending again a command answered `UNAVAILABLE` for the `attempt`-th time (0
 * for the first): never before the server's `retryAfterMs`, doubling with each attempt up to
 * 8 times it, and drawn at random up to twice that ("jitter"), so that the clients a node
 * refused at the same moment do not all come back at the same moment.
 * @param random a source of numbers in [0, 1) @default Math.random
 * @example unavailableDelay(0, 1000, () => 0.5) // 1500
 * @example unavailableDelay(5, 1000, () => 0) // 8000
 */
export function unavailableDelay(
  attempt: number,
  retryAfterMs: number = DEFAULT_RETRY_AFTER_MS,
  random: () => number = Math.random,
): number {
  const base = retryAfterMs > 0 ? retryAfterMs : DEFAULT_RETRY_AFTER_MS;
  const floor = base * Math.min(MAX_GROWTH, 2 ** Math.max(0, Math.floor(attempt)));
  const draw = random();
  const spread = Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1) : 0;
  return Math.floor(floor * (1 + spread));
}

/**
 * The client's retries of commands the server answered `UNAVAILABLE` (its broker or a store is
 * briefly unreachable; the command did not run): each is sent again after
 * {@link unavailableDelay}, at most `retries` times, and never past its deadline. Waits still
 * running when the client closes fail with `CLOSED`.
 *
 * @example
 * const retries = new UnavailableRetries(6, Math.random);
 * const reply = await retries.run(() => send(frame), Date.now() + 10_000);
 */
export class UnavailableRetries {
  private readonly waits = new Set<{ timer: TimerHandle; reject(error: ChannelsError): void }>();

  constructor(
    /** How many times one command is sent again, at most. */
    private readonly retries: number,
    private readonly random: () => number,
  ) {}

  /**
   * The wait before the retry that follows `attempt` earlier ones (0 for the first retry), or
   * undefined when `error` is not `UNAVAILABLE` or the command has had all its retries.
   */
  delayFor(attempt: number, error: unknown): number | undefined {
    if (!(error instanceof ChannelsError) || error.code !== 'UNAVAILABLE') return undefined;
    if (attempt >= this.retries) return undefined;
    return unavailableDelay(attempt, error.retryAfterMs, this.random);
  }

  /**
   * Runs `send`, and again after each `UNAVAILABLE` while retries remain and the wait ends
   * before `deadline` (a `Date.now()` time).
   * @throws what the last attempt failed with; `CLOSED` when the client closed during a wait
   */
  async run<T>(send: () => Promise<T>, deadline = Number.POSITIVE_INFINITY): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const delayMs = this.delayFor(attempt, error);
        if (delayMs === undefined || Date.now() + delayMs >= deadline) throw error;
        await this.wait(delayMs);
      }
    }
  }

  /** Ends every wait: the commands waiting to be sent again fail with `error`. */
  cancelAll(error: ChannelsError): void {
    for (const wait of [...this.waits]) {
      clearTimeout(wait.timer);
      wait.reject(error);
    }
    this.waits.clear();
  }

  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wait = {
        reject,
        timer: backgroundTimeout(() => {
          this.waits.delete(wait);
          resolve();
        }, ms),
      };
      this.waits.add(wait);
    });
  }
}
