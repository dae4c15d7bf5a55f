import { Inject, Injectable } from '@nestjs/common';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import type { Connection } from './connection.js';
import { ConnectionExpiry } from './connection.expiry.js';
import { ConnectionQuota } from './connection.quota.js';
import { ChannelsEvents } from './channels.events.js';
import { reportClosed, reportOpened } from './connection.reporter.js';

/**
 * The live connections of this node, by id and by principal. A connection is registered only
 * after its handshake passed, and leaves the registry when it closes.
 */
@Injectable()
export class ConnectionRegistry {
  private readonly byId = new Map<string, Connection>();
  private readonly byPrincipal = new Map<string, Set<Connection>>();

  constructor(
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
    private readonly quota: ConnectionQuota,
    private readonly expiry: ConnectionExpiry,
    private readonly events: ChannelsEvents,
  ) {}

  /** Number of live connections on this node. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * Registers a live connection; it is removed when it closes. It takes over the cap places
   * its handshake held, and is closed with 4401 when its principal's credentials expire.
   * `onClosed` runs when it closes, after the registry has let it go (the hub's clean-up):
   * one close listener per connection does all of it.
   */
  add(connection: Connection, onClosed?: (connection: Connection) => void): void {
    this.byId.set(connection.id, connection);
    const key = this.keyOf(connection.principal);
    if (key !== undefined) {
      const set = this.byPrincipal.get(key) ?? new Set<Connection>();
      set.add(connection);
      this.byPrincipal.set(key, set);
    }
    const slot = this.quota.claim(connection);
    this.expiry.watch(connection);
    reportOpened(this.events, connection);
    // One listener for all: the registry entry, the cap places, the report, the caller's.
    connection.onClose(() => {
      this.remove(connection, key);
      slot?.release();
      reportClosed(this.events, connection);
      onClosed?.(connection);
    });
  }

  /** The connection with this id, if it is live on this node. */
  get(id: string): Connection | undefined {
    return this.byId.get(id);
  }

  /** The live connections of one principal (by `principalKey`). */
  ofPrincipal(key: string): Connection[] {
    return [...(this.byPrincipal.get(key) ?? [])];
  }

  /** Every live connection. */
  all(): IterableIterator<Connection> {
    return this.byId.values();
  }

  /** The key that names a principal, per the `principalKey` option. */
  keyOf(principal: unknown): string | undefined {
    return principal === undefined ? undefined : this.settings.auth.principalKey(principal);
  }

  private remove(connection: Connection, key: string | undefined): void {
    this.byId.delete(connection.id);
    if (key === undefined) return;
    const set = this.byPrincipal.get(key);
    set?.delete(connection);
    if (set?.size === 0) this.byPrincipal.delete(key);
  }
}
