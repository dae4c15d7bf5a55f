import { performance } from 'node:perf_hooks';

/**
 * How much handshake work one turn of the event loop does before the rest waits, in ms.
 * @default 25
 */
export const HANDSHAKE_TURN_BUDGET_MS = 25;

/**
 * Paces handshakes so that a reconnect storm does not hold the event loop: libuv hands one
 * I/O turn up to tens of thousands of ready sockets, and a handshake whose guards do not await
 * runs to its end in the turn it arrived in, so without a budget thousands of handshakes run
 * back to back and no timer (heartbeats, the overload monitor) runs for seconds. Here a turn
 * runs handshakes for at most `budgetMs`, counted from its first one (so the HTTP parsing and
 * the microtasks in between count too); the rest wait, first in first out, and are taken up
 * at `setImmediate`, one budget a loop iteration, with the timers and the I/O of every
 * iteration in between. A handshake that arrives while others wait queues behind them.
 *
 * @example
 * const pacer = new HandshakePacer<Job>((job) => start(job), (ms) => monitor.handshakeWork(ms));
 * pacer.offer(job); // runs now, or later in arrival order
 */
export class HandshakePacer<T> {
  private queue: (T | undefined)[] = [];
  private head = 0;
  // When this turn's handshake work began (performance.now()), or -1 between turns.
  private turnStartedAt = -1;
  private scheduled = false;
  // Whether the queue is being taken up now (a chain of microtasks in the check phase).
  private draining = false;

  /**
   * @param run starts one handshake (it must not throw)
   * @param onQueuedWork told how long each take-up of the queue ran, in ms
   * @param budgetMs the handshake work of one turn, in ms (default {@link HANDSHAKE_TURN_BUDGET_MS})
   */
  constructor(
    private readonly run: (job: T) => void,
    private readonly onQueuedWork: (ms: number) => void = () => undefined,
    private readonly budgetMs: number = HANDSHAKE_TURN_BUDGET_MS,
  ) {}

  /** How many handshakes wait. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /**
   * Runs `job` now when this turn has budget left and nothing waits, else queues it.
   * @returns true when it ran now, false when it waits
   */
  offer(job: T): boolean {
    const now = performance.now();
    if (this.turnStartedAt < 0) {
      this.turnStartedAt = now;
      this.schedule();
    }
    if (!this.draining && this.waiting === 0 && now - this.turnStartedAt < this.budgetMs) {
      this.run(job);
      return true;
    }
    this.queue.push(job);
    return false;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.nextTurn);
  }

  // The check phase: the I/O turn is over; what waits gets a budget of its own.
  private readonly nextTurn = (): void => {
    this.scheduled = false;
    this.turnStartedAt = -1;
    if (this.waiting === 0) return;
    this.turnStartedAt = performance.now();
    this.draining = true;
    this.schedule();
    this.step();
  };

  // One handshake, then the next in a microtask: after the continuations the first one queued,
  // so the clock read before each one also counts the work of those started before it.
  private readonly step = (): void => {
    const job = this.shift();
    if (job !== undefined) this.run(job);
    const elapsed = performance.now() - this.turnStartedAt;
    if (this.waiting > 0 && elapsed < this.budgetMs) {
      queueMicrotask(this.step);
      return;
    }
    this.draining = false;
    this.onQueuedWork(elapsed);
    // Emptied: the next I/O turn starts a budget of its own.
    if (this.waiting === 0) this.turnStartedAt = -1;
  };

  private shift(): T | undefined {
    if (this.head >= this.queue.length) return undefined;
    const job = this.queue[this.head];
    this.queue[this.head++] = undefined;
    // Compacted once half of the array is spent: O(1) a job, amortised.
    if (this.head >= 1_024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return job;
  }
}
