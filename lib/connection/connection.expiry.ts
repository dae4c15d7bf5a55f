import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import type { Connection } from './connection.js';
import { DeadlineQueue } from './deadline.queue.js';

/**
 * Disconnects a connection with 4401 when its principal's credentials expire, on any
 * transport. Every expiring connection waits in one {@link DeadlineQueue} (one shared timer),
 * and leaves it the moment it closes, so nothing of a closed connection is kept until its
 * credentials' expiry. The connection itself also refuses to write past its `expiresAt`, so a
 * late timer never lets a push through.
 */
@Injectable()
export class ConnectionExpiry implements OnApplicationShutdown {
  private readonly queue = new DeadlineQueue<Connection>((connection) => {
    // Not yet due by the connection's own clock (a timer that fired a little early): requeue.
    if (!connection.expireIfDue() && !connection.closed)
      this.queue.add(connection, connection.expiresAt!);
  });

  constructor(@Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings) {}

  onApplicationShutdown(): void {
    this.queue.clear();
  }

  /**
   * When `principal`'s credentials expire, in milliseconds since the epoch.
   * @returns `undefined` when they do not (or the option gave no valid time)
   */
  expiresAt(principal: unknown): number | undefined {
    if (principal === undefined) return undefined;
    const value = this.settings.auth.principalExpiresAt(principal);
    const ms = value instanceof Date ? value.getTime() : value;
    return typeof ms === 'number' && !Number.isNaN(ms) ? ms : undefined;
  }

  /** Whether `principal`'s credentials have already expired. */
  hasExpired(principal: unknown, now: number = Date.now()): boolean {
    const at = this.expiresAt(principal);
    return at !== undefined && now >= at;
  }

  /** Arms the expiry of a connection that was just registered. */
  watch(connection: Connection): void {
    const at = this.expiresAt(connection.principal);
    if (at === undefined) return;
    connection.expiresAt = at;
    if (connection.expireIfDue()) return;
    this.queue.add(connection, at);
    connection.onClose(() => this.queue.delete(connection));
  }
}
