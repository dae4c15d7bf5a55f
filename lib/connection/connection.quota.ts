import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';
import type { Connection } from './connection.js';
import { DeadlineQueue } from './deadline.queue.js';
import type { Handshake } from './handshake.js';

/**
 * The place one connection takes in the per-IP and per-principal counts, from the moment its
 * handshake passes the cap until it closes. Releasing it twice is harmless. It holds its keys,
 * not closures: a live connection's place costs one small object.
 */
export class QuotaSlot {
  private released = false;
  /** @internal The key counted in the per-IP counts, when one was. */
  ip: string | undefined;
  /** @internal The key counted in the per-principal counts, when one was. */
  principal: string | undefined;
  /** @internal While the place waits for its connection: ends the wait (deadline, entry). */
  waiting: (() => void) | undefined;
  // While the place waits: the request's socket, whose close gives the place back.
  private socket?: Socket;
  private onSocketClose?: () => void;

  constructor(private readonly counts: QuotaCounts) {}

  /** Gives the place back. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.endWait();
    this.counts.giveBack(this);
  }

  /**
   * @internal Gives the place back when `socket` closes before a connection claims it (one
   * listener from the handshake's start until the claim).
   */
  watch(socket: Socket): void {
    // A place that counts nothing (no cap applies) has nothing to give back.
    if (this.released || this.socket || this.empty) return;
    this.socket = socket;
    this.onSocketClose = () => this.release();
    socket.on('close', this.onSocketClose);
  }

  /** @internal Whether the place counts in no cap (none applies to this client). */
  get empty(): boolean {
    return this.ip === undefined && this.principal === undefined;
  }

  /** @internal Ends the wait for a connection: the connection holds the place now. */
  endWait(): void {
    if (this.socket) {
      this.socket.off('close', this.onSocketClose!);
      this.socket = this.onSocketClose = undefined;
    }
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}

/** What a slot gives its places back to (the quota that counts them). */
interface QuotaCounts {
  giveBack(slot: QuotaSlot): void;
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
  private readonly pending = new WeakMap<Handshake, QuotaSlot>();
  // Unclaimed places' deadlines, on one shared timer (not a timer per handshake).
  private readonly deadlines = new DeadlineQueue<QuotaSlot>((slot) => slot.release());

  constructor(@Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings) {}

  /**
   * Takes a place for a connection from `ip`.
   * @throws ChannelsException `RATE_LIMITED` (4429 / HTTP 429) when the IP is at its cap
   */
  takeIp(ip: string | undefined): QuotaSlot {
    const slot = new QuotaSlot(this);
    const cap = this.settings.limits.maxConnectionsPerIp;
    // No cap (Infinity): nothing to count.
    if (ip !== undefined && cap !== Infinity) {
      this.take(this.byIp, ip, cap, 'this IP address');
      slot.ip = ip;
    }
    return slot;
  }

  /**
   * Adds the principal's place to `slot` (an anonymous principal, `key` undefined, has no cap).
   * @throws ChannelsException `RATE_LIMITED` when the principal is at its cap
   */
  takePrincipal(slot: QuotaSlot, key: string | undefined): void {
    const cap = this.settings.limits.maxConnectionsPerPrincipal;
    if (key !== undefined && cap !== Infinity) {
      this.take(this.byPrincipal, key, cap, 'this user');
      slot.principal = key;
    }
  }

  /**
   * Keeps `slot` for the connection that will be made from `handshake` (see {@link claim}).
   * Unclaimed, it is released when the request's socket closes or after `handshakeTimeoutMs`. A
   * place that counts in no cap (none applies) is not kept: there is nothing to give back.
   */
  hold(slot: QuotaSlot, handshake: Handshake, request: IncomingMessage): void {
    const socket = request.socket;
    if (socket.destroyed) return slot.release();
    if (slot.empty) return;
    this.deadlines.add(slot, Date.now() + this.settings.limits.handshakeTimeoutMs);
    slot.watch(socket);
    slot.waiting = () => {
      this.deadlines.delete(slot);
      this.pending.delete(handshake);
    };
    this.pending.set(handshake, slot);
  }

  /**
   * Keeps `slot` for the connection to be made from `handshake` within the same call, with no
   * deadline and no socket listener: the caller gives back what was not claimed with
   * {@link reclaim} before the call ends.
   */
  lend(slot: QuotaSlot, handshake: Handshake): void {
    if (!slot.empty) this.pending.set(handshake, slot);
  }

  /** Releases the place lent for `handshake` when no connection claimed it. */
  reclaim(handshake: Handshake): void {
    const slot = this.pending.get(handshake);
    if (!slot) return;
    this.pending.delete(handshake);
    slot.release();
  }

  /**
   * Passes the place held for `connection`'s handshake to the connection; the caller releases
   * it when the connection closes (the registry does, with its own close listener).
   * @returns the place, or undefined when none was held for it
   */
  claim(connection: Connection): QuotaSlot | undefined {
    const slot = this.pending.get(connection.handshake);
    this.pending.delete(connection.handshake);
    // The slot alone outlives the handshake: not the request's socket and listener.
    slot?.endWait();
    return slot;
  }

  /** @internal A released slot's places, given back. */
  giveBack(slot: QuotaSlot): void {
    if (slot.ip !== undefined) untake(this.byIp, slot.ip);
    if (slot.principal !== undefined) untake(this.byPrincipal, slot.principal);
  }

  private take(counts: Map<string, number>, key: string, cap: number, who: string): void {
    const count = counts.get(key) ?? 0;
    if (count >= cap) {
      throw new ChannelsException(
        ErrorCode.RATE_LIMITED,
        `Too many connections from ${who} (at most ${cap}).`,
      );
    }
    counts.set(key, count + 1);
  }
}

function untake(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}
