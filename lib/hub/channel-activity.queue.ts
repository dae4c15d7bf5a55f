/**
 * The broker subscription state of one channel on this node: its local subscribers and the
 * activation every one of them waits on.
 */
interface ChannelEntry<T> {
  readonly subscribers: Set<T>;
  /** Settles when the broker subscription exists (or could not be made). */
  readonly ready: Promise<void>;
}

/**
 * Orders the broker work of every channel: one activation in flight per channel that every
 * subscriber awaits, and activations and deactivations of one channel run one after the
 * other, in the order they were asked for (an UNSUBSCRIBE never overtakes the SUBSCRIBE that
 * follows it).
 *
 * @example
 * const queue = new ChannelActivityQueue<Connection>(
 *   (channel) => broker.subscribe(channel),
 *   (channel) => broker.unsubscribe(channel),
 *   (error, channel) => logger.error(`unsubscribe ${channel}: ${error}`),
 * );
 * await queue.add('room:1', connection);
 */
export class ChannelActivityQueue<T> {
  private readonly entries = new Map<string, ChannelEntry<T>>();
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly activate: (channel: string) => Promise<void> | void,
    private readonly deactivate: (channel: string) => Promise<void> | void,
    private readonly onDeactivateError: (error: unknown, channel: string) => void,
  ) {}

  /** The subscribers of `channel`, while it has any. */
  subscribers(channel: string): ReadonlySet<T> | undefined {
    return this.entries.get(channel)?.subscribers;
  }

  /** Every channel with at least one subscriber. */
  channels(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Every channel's subscribers. */
  all(): IterableIterator<ChannelEntry<T>> {
    return this.entries.values();
  }

  /**
   * Adds a subscriber; resolves once the channel's broker subscription exists. The first
   * subscriber starts the activation, the others wait on the same one; when it fails, every
   * waiter is refused and the channel is forgotten, so the next subscriber tries again.
   */
  async add(channel: string, subscriber: T): Promise<void> {
    let entry = this.entries.get(channel);
    if (!entry) {
      const ready = this.enqueue(channel, () => this.activate(channel));
      entry = { subscribers: new Set(), ready };
      const created = entry;
      this.entries.set(channel, created);
      ready.catch(() => {
        if (this.entries.get(channel) === created) this.entries.delete(channel);
      });
    }
    entry.subscribers.add(subscriber);
    await entry.ready;
  }

  /**
   * Removes a subscriber; after the channel's last one, queues its deactivation. A failed
   * deactivation is reported to `onDeactivateError`, never dropped.
   * @returns whether it was a subscriber
   */
  remove(channel: string, subscriber: T): boolean {
    const entry = this.entries.get(channel);
    if (!entry?.subscribers.delete(subscriber)) return false;
    if (entry.subscribers.size > 0) return true;
    this.entries.delete(channel);
    // An activation that failed left nothing to undo.
    const undo = entry.ready.then(
      () => true,
      () => false,
    );
    this.enqueue(channel, async () => {
      if (await undo) await this.deactivate(channel);
    }).catch((error: unknown) => this.onDeactivateError(error, channel));
    return true;
  }

  /** Resolves when every queued activation and deactivation has settled. */
  async settled(): Promise<void> {
    while (this.tails.size > 0) await Promise.allSettled([...this.tails.values()]);
  }

  private enqueue(channel: string, step: () => Promise<void> | void): Promise<void> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    const run = previous.then(step);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(channel, tail);
    void tail.then(() => {
      if (this.tails.get(channel) === tail) this.tails.delete(channel);
    });
    return run;
  }
}
