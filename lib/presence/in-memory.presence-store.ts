import type { PresenceMember } from '../protocol/presence.types.js';
import { PresenceStore } from './presence.store.js';

interface Entry {
  connections: number;
  info: unknown;
}

/**
 * The default presence store: one node, kept in memory. A channel's members are one map, so
 * `members` reads that channel only. There are no leases: the node is the only one, and its
 * death takes every member with it.
 *
 * @example ChannelsModule.forRoot({ providers: [{ provide: PresenceStore, useClass: InMemoryPresenceStore }] }) // the default
 */
export class InMemoryPresenceStore extends PresenceStore {
  private readonly channels = new Map<string, Map<string, Entry>>();

  async join(channel: string, key: string, info: unknown): Promise<void> {
    let members = this.channels.get(channel);
    if (!members) {
      members = new Map();
      this.channels.set(channel, members);
    }
    const entry = members.get(key);
    if (entry) {
      entry.connections += 1;
      return;
    }
    members.set(key, { connections: 1, info });
    this.emitChange({ channel, type: 'join', key, info });
  }

  async leave(channel: string, key: string): Promise<void> {
    const members = this.channels.get(channel);
    const entry = members?.get(key);
    if (!members || !entry) return;
    entry.connections -= 1;
    if (entry.connections > 0) return;
    members.delete(key);
    if (members.size === 0) this.channels.delete(channel);
    this.emitChange({ channel, type: 'leave', key, info: entry.info });
  }

  async members(channel: string): Promise<PresenceMember[]> {
    const members = this.channels.get(channel);
    if (!members) return [];
    return [...members].map(([key, { connections, info }]) => ({ key, connections, info }));
  }

  override async close(): Promise<void> {
    for (const [channel, members] of [...this.channels]) {
      for (const [key, entry] of [...members]) {
        members.delete(key);
        this.emitChange({ channel, type: 'leave', key, info: entry.info });
      }
      this.channels.delete(channel);
    }
  }
}
