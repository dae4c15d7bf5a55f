/** One channel's joins and leaves on this node, netted per key, waiting to be written. */
export interface PresenceBatchEntry {
  channel: string;
  /** Principal key -> net change of its connections on this node, with its latest join's info. */
  deltas: Map<string, { delta: number; info: unknown }>;
}

interface Pending extends PresenceBatchEntry {
  settle: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/**
 * Gathers this node's presence joins and leaves for `windowMs` and writes them per channel in
 * one go, netted per key: a thousand clients joining a channel within a window are one script
 * and one change message in Redis, not a thousand of each. A key that joined and left on this
 * node within the window is not written at all. Each caller's promise settles when the write
 * that holds its change does.
 *
 * @example
 * const batch = new RedisPresenceBatch(50, (entry) => writeToRedis(entry));
 * await batch.add('room:lobby', 'alice', 1, { name: 'Alice' });
 */
export class RedisPresenceBatch {
  private pending = new Map<string, Pending>();
  private timer?: NodeJS.Timeout;

  /**
   * @param windowMs how long changes are gathered (from the first change after a write)
   * @param write writes one channel's changes; its promise settles the callers'
   */
  constructor(
    private readonly windowMs: number,
    private readonly write: (entry: PresenceBatchEntry) => Promise<void>,
  ) {}

  /** Adds `delta` connections of `key` (1: a join, -1: a leave); settles once written. */
  add(channel: string, key: string, delta: number, info: unknown): Promise<void> {
    let entry = this.pending.get(channel);
    if (!entry) {
      entry = { channel, deltas: new Map(), settle: [] };
      this.pending.set(channel, entry);
    }
    const known = entry.deltas.get(key);
    if (known) {
      known.delta += delta;
      if (delta > 0) known.info = info;
    } else entry.deltas.set(key, { delta, info });
    this.timer ??= setTimeout(() => this.flushAll(), this.windowMs).unref();
    return new Promise<void>((resolve, reject) => entry.settle.push({ resolve, reject }));
  }

  /** Writes one channel's pending changes now (before a read of that channel). */
  flush(channel: string): Promise<void> {
    const entry = this.pending.get(channel);
    if (!entry) return Promise.resolve();
    this.pending.delete(channel);
    return this.send(entry);
  }

  /** Writes every channel's pending changes now. */
  flushAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = new Map();
    // Each caller learns of its failure through its own promise.
    for (const entry of pending.values()) this.send(entry).catch(() => undefined);
  }

  /** Drops what is pending (its callers' promises resolve) and stops the timer. */
  discard(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const { settle } of this.pending.values()) for (const { resolve } of settle) resolve();
    this.pending.clear();
  }

  private async send(entry: Pending): Promise<void> {
    for (const [key, { delta }] of entry.deltas) if (delta === 0) entry.deltas.delete(key);
    try {
      if (entry.deltas.size > 0) await this.write(entry);
      for (const { resolve } of entry.settle) resolve();
    } catch (error) {
      for (const { reject } of entry.settle) reject(error);
      throw error;
    }
  }
}
