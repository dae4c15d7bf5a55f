/**
 * What this node has put into a shared presence store: connections per channel and key, with
 * the info given at join. A store that can lose a live node's entries (its lease expired while
 * it was cut off) puts them back from here.
 *
 * @example
 * ledger.add('room:lobby', 'alice', { userId: 'alice' });
 * for (const { channel, key, connections, info } of ledger.entries()) rejoin(channel, key, connections, info);
 */
export class PresenceLedger {
  private readonly channels = new Map<
    string,
    Map<string, { connections: number; info: unknown }>
  >();

  add(channel: string, key: string, info: unknown): void {
    let keys = this.channels.get(channel);
    if (!keys) {
      keys = new Map();
      this.channels.set(channel, keys);
    }
    const entry = keys.get(key);
    if (entry) entry.connections += 1;
    else keys.set(key, { connections: 1, info });
  }

  /** @returns whether this node held a connection of `key` in `channel` */
  remove(channel: string, key: string): boolean {
    const keys = this.channels.get(channel);
    const entry = keys?.get(key);
    if (!keys || !entry) return false;
    if (--entry.connections > 0) return true;
    keys.delete(key);
    if (keys.size === 0) this.channels.delete(channel);
    return true;
  }

  /** Every channel and key held, with its connection count. */
  *entries(): Generator<{ channel: string; key: string; connections: number; info: unknown }> {
    for (const [channel, keys] of this.channels)
      for (const [key, { connections, info }] of keys) yield { channel, key, connections, info };
  }

  clear(): void {
    this.channels.clear();
  }
}
