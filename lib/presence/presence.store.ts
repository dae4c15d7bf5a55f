import type { PresenceChange, PresenceMember } from '../protocol/presence.types.js';

/**
 * Listens to the membership changes a {@link PresenceStore} reports.
 * @example store.onChange((change) => console.log(change.type, change.key, 'in', change.channel));
 */
export type PresenceChangeListener = (change: PresenceChange) => void;

/**
 * Where presence lives: who is in which channel, shared by every node. Provide a subclass under
 * this class as the token (or the `presenceStore` option) to replace the in-memory default.
 *
 * Semantics every implementation keeps (`test/unit/presence/presence-store.contract.ts` checks
 * them):
 * - **Members are principals**, keyed by principal key. A store counts the connections of each
 *   key **per node**; a member's `connections` is the sum over the nodes.
 * - {@link join} adds one connection of `key` on this node. When it is the key's first on any
 *   node, the store reports a `join` change (with the `info` given with it).
 * - {@link leave} removes one. When it was the key's last on every node, the store reports a
 *   `leave` change (with the info stored at join). A leave for a key it does not hold is a no-op.
 * - **Changes are reported to every node**: each node's listeners (see {@link onChange}) get
 *   every change of every channel, this node's included, once, and in order for a given
 *   channel and key. Each node then writes them to its own subscribers.
 * - **Node leases** (stores shared between nodes): each node holds a lease it refreshes with a
 *   heartbeat; when a node's lease has expired (the node died without a shutdown), its
 *   connections are removed and the resulting `leave` changes reported within the TTL.
 *   {@link close} removes this node's connections at once (a graceful shutdown).
 *
 * @example
 * ChannelsModule.forRoot({ presenceStore: new InMemoryPresenceStore() }) // the default
 */
export abstract class PresenceStore {
  private readonly listeners = new Set<PresenceChangeListener>();

  /** Adds one connection of `key` on this node to `channel`; `info` is kept while it is a member. */
  abstract join(channel: string, key: string, info: unknown): Promise<void>;

  /** Removes one connection of `key` on this node from `channel`. */
  abstract leave(channel: string, key: string): Promise<void>;

  /** The members of one channel (no other channel is read), in no particular order. */
  abstract members(channel: string): Promise<PresenceMember[]>;

  /**
   * Removes this node's connections (reporting the leaves) and releases the store's resources.
   * Called on application shutdown.
   */
  async close(): Promise<void> {}

  /**
   * Whether the store can answer now. While it cannot (its backend is unreachable), the
   * `presence` command and `ChannelsService.presence()` answer the retryable `UNAVAILABLE`
   * instead of waiting for it or failing with an internal error.
   * @default true
   */
  isReady(): boolean {
    return true;
  }

  /**
   * Registers a listener of the membership changes of every channel.
   * @returns a function that removes it
   */
  onChange(listener: PresenceChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reports one change to this node's listeners; an implementation calls it for every change it learns of. */
  protected emitChange(change: PresenceChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // A listener's failure must not stop the others, nor the store.
      }
    }
  }
}
