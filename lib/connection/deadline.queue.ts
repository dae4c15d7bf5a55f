// setTimeout's longest delay (about 24.8 days); a later deadline is reached in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Entry<T> {
  item: T;
  at: number;
  index: number;
}

/**
 * Deadlines of many items on ONE shared timer: a binary min-heap by due time, with each
 * item's position kept so that `delete` removes it at once. An item that leaves (a closed
 * connection) is unreferenced immediately, whatever its deadline, and no timer is ever armed
 * or cleared per item: Node keeps the bookkeeping of a cleared timer of a distinct duration
 * until that timer's due time, which with hour-long credentials is an hour per connection.
 *
 * The timer is re-armed only when it fires, or when a deadline sooner than every other is
 * added; removing the soonest item leaves it to fire early and find nothing due.
 *
 * @example
 * const queue = new DeadlineQueue<Connection>((connection) => connection.expireIfDue());
 * queue.add(connection, expiresAt);
 * connection.onClose(() => queue.delete(connection));
 */
export class DeadlineQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private readonly entries = new Map<T, Entry<T>>();
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;

  /**
   * @param onDue called once for each item whose deadline has come, after it left the queue
   * @param now the clock, in milliseconds since the epoch
   */
  constructor(
    private readonly onDue: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many items wait. */
  get size(): number {
    return this.heap.length;
  }

  /** Adds `item` (or moves it) to be due at `at`, in milliseconds since the epoch. */
  add(item: T, at: number): void {
    this.delete(item);
    const entry: Entry<T> = { item, at, index: this.heap.length };
    this.heap.push(entry);
    this.entries.set(item, entry);
    this.up(entry.index);
    if (at < this.timerAt) this.arm();
  }

  /** Removes `item`; nothing happens when it is not queued. */
  delete(item: T): void {
    const entry = this.entries.get(item);
    if (!entry) return;
    this.entries.delete(item);
    const last = this.heap.pop()!;
    if (last !== entry) {
      this.heap[entry.index] = last;
      last.index = entry.index;
      this.down(last.index);
      this.up(last.index);
    }
    // The timer stays armed even when nothing is left: clearing it here would be a timer
    // armed and cleared per item again, for a connection that comes and goes alone.
  }

  /** Stops the timer and forgets every item. */
  clear(): void {
    this.heap.length = 0;
    this.entries.clear();
    this.disarm();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const { item } = this.heap[0]!;
      this.delete(item);
      this.onDue(item);
    }
    if (this.heap.length > 0) this.arm();
  }

  private arm(): void {
    this.disarm();
    const at = this.heap[0]!.at;
    const delay = Math.min(Math.max(0, at - this.now()), MAX_TIMER_MS);
    this.timerAt = at;
    // Unref'd: pending deadlines never keep the process alive.
    this.timer = setTimeout(() => this.fire(), delay).unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private up(index: number): void {
    const heap = this.heap;
    const entry = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (parent.at <= entry.at) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.index = index;
  }

  private down(index: number): void {
    const heap = this.heap;
    const entry = heap[index]!;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= entry.at) break;
      heap[index] = heap[child]!;
      heap[index]!.index = index;
      index = child;
    }
    heap[index] = entry;
    entry.index = index;
  }
}
