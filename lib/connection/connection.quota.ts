import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';
import type { Connection } from './connection.js';
import { DeadlineQueue } from './deadline.queue.js';
import type { Handshake } from './handshake.js';

/**
 * The place one connection takes in the per-IP and per-principal counts, from the moment its
 * handshake passes the cap until it closes. Releasing it twice is harmless.
 */
export class QuotaSlot {
  private released = false;
  private readonly onRelease: Array<() => void> = [];

  /** Gives the place back. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const listener of this.onRelease.splice(0)) listener();
  }

  /** @internal */
  whenReleased(listener: () => void): void {
    if (this.released) listener();
    else this.onRelease.push(listener);
  }
}

/**
 * Connection caps per client IP and per principal (`maxConnectionsPerIp`,
 * `maxConnectionsPerPrincipal`). Places are taken during the handshake, synchronously with
 * the check, so concurrent handshakes can never overshoot a cap; a place passes to the
 * connection when it is registered and is released when it closes. A place that no connection
 * claims (the client left, or the transport refused it afterwards) is released when the
 * request's socket closes, or after `handshakeTimeoutMs`.
 */
@Injectable()
export class ConnectionQuota {
  private readonly byIp = new Map<string, number>();
  private readonly byPrincipal = new Map<string, number>();
  private readonly pending = new WeakMap<Handshake, { slot: QuotaSlot; stop: () => void }>();
  // Unclaimed places' deadlines, on one shared timer (not a timer per handshake).
  private readonly deadlines = new DeadlineQueue<QuotaSlot>((slot) => slot.release());

  constructor(@Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings) {}

  /**
   * Takes a place for a connection from `ip`.
   * @throws ChannelsException `RATE_LIMITED` (4429 / HTTP 429) when the IP is at its cap
   */
  takeIp(ip: string | undefined): QuotaSlot {
    const slot = new QuotaSlot();
    if (ip !== undefined) {
      this.take(slot, this.byIp, ip, this.settings.limits.maxConnectionsPerIp, 'this IP address');
    }
    return slot;
  }

  /**
   * Adds the principal's place to `slot` (an anonymous principal, `key` undefined, has no cap).
   * @throws ChannelsException `RATE_LIMITED` when the principal is at its cap
   */
  takePrincipal(slot: QuotaSlot, key: string | undefined): void {
    if (key !== undefined) {
      this.take(
        slot,
        this.byPrincipal,
        key,
        this.settings.limits.maxConnectionsPerPrincipal,
        'this user',
      );
    }
  }

  /**
   * Keeps `slot` for the connection that will be made from `handshake` (see {@link claim}).
   * Unclaimed, it is released when the request's socket closes or after `handshakeTimeoutMs`.
   */
  hold(slot: QuotaSlot, handshake: Handshake, request: IncomingMessage): void {
    const socket = request.socket;
    if (socket.destroyed) return slot.release();
    const abandon = (): void => slot.release();
    this.deadlines.add(slot, Date.now() + this.settings.limits.handshakeTimeoutMs);
    socket.once('close', abandon);
    const stop = (): void => {
      this.deadlines.delete(slot);
      socket.off('close', abandon);
      this.pending.delete(handshake);
    };
    slot.whenReleased(stop);
    this.pending.set(handshake, { slot, stop });
  }

  /** Passes the place held for `connection`'s handshake to the connection, until it closes. */
  claim(connection: Connection): void {
    const held = this.pending.get(connection.handshake);
    if (!held) return;
    held.stop();
    // The slot alone outlives the handshake: not the request's socket and listener.
    const { slot } = held;
    connection.onClose(() => slot.release());
  }

  private take(
    slot: QuotaSlot,
    counts: Map<string, number>,
    key: string,
    cap: number,
    who: string,
  ): void {
    const count = counts.get(key) ?? 0;
    if (count >= cap) {
      throw new ChannelsException(
        ErrorCode.RATE_LIMITED,
        `Too many connections from ${who} (at most ${cap}).`,
      );
    }
    counts.set(key, count + 1);
    slot.whenReleased(() => {
      const left = (counts.get(key) ?? 1) - 1;
      if (left > 0) counts.set(key, left);
      else counts.delete(key);
    });
  }
}
