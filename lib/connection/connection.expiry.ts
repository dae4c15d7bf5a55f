import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_OPTIONS, type ResolvedChannelsOptions } from '../channels.options.js';
import type { Connection } from './connection.js';

// setTimeout's longest delay (about 24.8 days); a later expiry is reached in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Disconnects a connection with 4401 when its principal's credentials expire, on any
 * transport: one unref'd timer per expiring connection, set when it is registered and cleared
 * when it closes. The connection itself also refuses to write past its `expiresAt`, so a late
 * timer never lets a push through.
 */
@Injectable()
export class ConnectionExpiry {
  constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedChannelsOptions) {}

  /**
   * When `principal`'s credentials expire, in milliseconds since the epoch.
   * @returns `undefined` when they do not (or the option gave no valid time)
   */
  expiresAt(principal: unknown): number | undefined {
    if (principal === undefined) return undefined;
    const value = this.options.principalExpiresAt(principal);
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
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (connection.expireIfDue()) return;
      timer = setTimeout(arm, Math.min(at - Date.now(), MAX_TIMER_MS)).unref();
    };
    arm();
    connection.onClose(() => clearTimeout(timer));
  }
}
