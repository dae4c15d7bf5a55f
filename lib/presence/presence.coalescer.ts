import type { PresenceChange } from '../protocol/presence.types.js';

interface Pending {
  /** The key's first change in the window: what it was before is the opposite. */
  first: PresenceChange['type'];
  last: PresenceChange;
}

/**
 * Gathers membership changes for `windowMs` and hands them on per channel, net: a key that
 * joined and left (or left and came back, a reconnect) within one window changed nothing, and
 * its pair is dropped. So a storm (a node restarting with thousands of members, a flapping
 * network) reaches subscribers as one batch per channel per window, written in one go, and
 * without the round trips that cancel out.
 *
 * @example
 * const coalescer = new PresenceCoalescer(50, (channel, changes) => send(channel, changes));
 * coalescer.add({ channel: 'room:lobby', type: 'join', key: 'alice', info: null });
 */
export class PresenceCoalescer {
  private pending = new Map<string, Map<string, Pending>>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly windowMs: number,
    private readonly flushTo: (channel: string, changes: PresenceChange[]) => void,
  ) {}

  /** Adds a change; the window starts with the first change after a flush. */
  add(change: PresenceChange): void {
    let keys = this.pending.get(change.channel);
    if (!keys) {
      keys = new Map();
      this.pending.set(change.channel, keys);
    }
    const known = keys.get(change.key);
    if (known) known.last = change;
    else keys.set(change.key, { first: change.type, last: change });
    this.timer ??= setTimeout(() => this.flush(), this.windowMs).unref();
  }

  /** Hands on what the window gathered now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = new Map();
    for (const [channel, keys] of pending) {
      const changes: PresenceChange[] = [];
      // Changes of one key alternate (join, leave, join ...): the window changed something
      // only when it ends on the same kind it began with.
      for (const { first, last } of keys.values()) if (first === last.type) changes.push(last);
      if (changes.length > 0) this.flushTo(channel, changes);
    }
  }

  /** Drops what is pending and stops the timer. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
