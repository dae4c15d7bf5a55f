import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { ConnectionExpiry } from '../connection/connection.expiry.js';
import { ConnectionQuota, type QuotaSlot } from '../connection/connection.quota.js';
import { ConnectionRegistry } from '../connection/connection.registry.js';
import { DeadlineQueue } from '../connection/deadline.queue.js';
import type { HandshakeClient, TransportName } from '../connection/handshake.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';
import { HandshakeRateLimiter } from '../rate-limit/handshake-rate.limiter.js';
import { logFault } from '../router/fault.logger.js';
import { ClientIpResolver } from './client-ip.resolver.js';
import { HandshakeAuthenticator } from './handshake.authenticator.js';
import { HandshakeShedder } from './handshake.shedder.js';
import { OriginGate } from './origin.gate.js';
import { ChannelsEvents } from '../connection/channels.events.js';
import { reportRefusal } from '../connection/connection.reporter.js';

/**
 * The one gate every new connection passes, on either transport, before it exists: the
 * origin (same-origin, or allowed), admission by overload (`HandshakeShedder`), the handshake rate per client IP, the per-IP cap, authentication (the
 * gateways' guards), expired credentials, then the per-principal cap, all within
 * `handshakeTimeoutMs`. A refusal is a `ChannelsException` (or what a guard threw); the
 * transport turns it into an HTTP status or a close code.
 */
@Injectable()
export class ConnectionAdmission {
  // Every pending handshake's deadline, on one shared timer (not a timer per handshake).
  private readonly deadlines = new DeadlineQueue<() => void>((expire) => expire());

  constructor(
    private readonly authenticator: HandshakeAuthenticator,
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
    private readonly handshakeLimiter: HandshakeRateLimiter,
    private readonly quota: ConnectionQuota,
    private readonly expiry: ConnectionExpiry,
    private readonly connections: ConnectionRegistry,
    private readonly clientIp: ClientIpResolver,
    private readonly shedder: HandshakeShedder,
    private readonly events: ChannelsEvents,
    private readonly origins: OriginGate,
  ) {}

  /**
   * Admits a handshake request that is to become a connection, or throws why not. The
   * transport has checked its origin first ({@link originAllowed}: a foreign page is refused
   * with plain HTTP 403 before anything else is spent on it). The places
   * it takes in the connection caps pass to the connection when the transport registers it
   * (`ConnectionRegistry.add`, with the returned client's `handshake`), or are given back when
   * the request's socket closes first.
   * @throws ChannelsException `RATE_LIMITED` (handshake rate or a cap),
   *   `UNAUTHORIZED` (expired credentials), `INTERNAL` (timed out), or what a guard threw
   */
  async admit(
    request: IncomingMessage,
    transport: TransportName,
    held?: HeldHandshake,
  ): Promise<HandshakeClient> {
    try {
      // Shed (or not) before anything is spent on it: the transport refuses with HTTP 503.
      const done = held ? this.shedder.enter() : this.shedder.admit();
      try {
        if (held) this.assertTurnInTime(held);
        return await this.withinTimeout(
          (attempt) => this.handshake(request, transport, attempt),
          held?.arrivedAt,
        );
      } finally {
        done();
      }
    } catch (error) {
      throw this.refused(error, request, transport);
    }
  }

  /**
   * Whether a handshake has nothing to wait for (no handshake guard, global or listed, and no
   * handshake rate): then {@link admitNow} admits it within the call, with no promise and no
   * deadline.
   */
  get immediate(): boolean {
    return !this.handshakeLimiter.limiting && !this.authenticator.guarded;
  }

  /**
   * Admits a held handshake within the call, when it is {@link immediate}: the same checks
   * as {@link admit} in the same order, none of which waits. Its places in the caps wait for
   * the connection, which claims them when registered (`ConnectionRegistry.add`); call
   * {@link settle} right after, in the same call, to give back what no connection claimed.
   * @throws as {@link admit}
   * @example
   * const client = admission.admitNow(request, 'websocket', held);
   * try { open(client); } finally { admission.settle(client); }
   */
  admitNow(
    request: IncomingMessage,
    transport: TransportName,
    held: HeldHandshake,
  ): HandshakeClient {
    // Not counted in flight: nothing else runs before it is over.
    try {
      this.assertTurnInTime(held);
      const ip = this.clientIp.resolve(request);
      const slot = this.quota.takeIp(ip);
      try {
        const client = this.assertNotExpired(this.authenticator.unguarded(request, transport, ip));
        this.quota.takePrincipal(slot, this.connections.keyOf(client.principal));
        this.quota.lend(slot, client.handshake);
        return client;
      } catch (error) {
        slot.release();
        throw error;
      }
    } catch (error) {
      throw this.refused(error, request, transport);
    }
  }

  /** Gives back the places of an {@link admitNow} client that no connection claimed. */
  settle(client: HandshakeClient): void {
    this.quota.reclaim(client.handshake);
  }

  /**
   * Sheds (or not) a handshake that is to wait before {@link admit} takes it up (the
   * WebSocket transport paces a storm of them): judged now, by what this node's state is as
   * it arrives; counted in flight once `admit` takes it up; its `handshakeTimeoutMs` runs
   * from now. Pass the result to `admit`; a dropped one needs nothing given back.
   * @throws ChannelsException `RATE_LIMITED` with status 503, as `admit` does when shedding
   * @example const held = admission.hold('websocket'); later: await admission.admit(request, 'websocket', held);
   */
  hold(transport: TransportName): HeldHandshake {
    try {
      this.shedder.screen();
      return { arrivedAt: Date.now() };
    } catch (error) {
      throw reportRefusal(this.events, transport, error);
    }
  }

  /**
   * Authenticates a request that does not open a connection (an SSE command `POST`, whose
   * origin the transport has checked): the guards, within `handshakeTimeoutMs`; expired credentials are
   * refused. It takes no place in the caps and no point of the handshake rate.
   * @throws as {@link admit}
   */
  async authenticate(request: IncomingMessage, transport: TransportName): Promise<HandshakeClient> {
    try {
      return await this.withinTimeout(async () =>
        this.assertNotExpired(await this.authenticator.authenticate(request, transport)),
      );
    } catch (error) {
      this.logFault(error, request, transport);
      throw error;
    }
  }

  /**
   * Whether the request's `Origin` may use the endpoints ({@link OriginGate}: no header, the
   * app's own origin, or one allowed). With `refusing`, a foreign origin is also reported as a
   * refused handshake on that transport.
   */
  originAllowed(request: IncomingMessage, refusing?: TransportName): boolean {
    const ok = this.origins.allows(request);
    if (!ok && refusing) reportRefusal(this.events, refusing, forbiddenOrigin());
    return ok;
  }

  private async handshake(
    request: IncomingMessage,
    transport: TransportName,
    attempt: Attempt,
  ): Promise<HandshakeClient> {
    const ip = this.clientIp.resolve(request);
    // No await where no handshake rate is set (the default): one microtask less per handshake.
    if (this.handshakeLimiter.limiting) {
      await this.handshakeLimiter.consume(ip);
      if (attempt.abandoned) throw timedOut();
    }
    const slot = this.quota.takeIp(ip);
    attempt.slot = slot;
    // A client that leaves while a guard still runs gives its place back as soon as the server
    // notices (an SSE request; an upgrade's socket is not read before it is accepted, so there
    // the timeout gives it back). The slot keeps listening until a connection claims it.
    slot.watch(request.socket);
    try {
      const client = this.assertNotExpired(
        await this.authenticator.authenticate(request, transport, ip),
      );
      if (attempt.abandoned) throw timedOut();
      this.quota.takePrincipal(slot, this.connections.keyOf(client.principal));
      this.quota.hold(slot, client.handshake, request);
      return client;
    } catch (error) {
      slot.release();
      throw error;
    }
  }

  // A guard that crashed (not one that refused) is a fault: one line, with where, never the token.
  private logFault(error: unknown, request: IncomingMessage, transport: TransportName): void {
    logFault(error, {
      where: 'handshake',
      transport,
      ip: this.clientIp.resolve(request),
    });
  }

  // A handshake that waited its whole time for its turn: the node is behind (503, before the
  // upgrade), not a guard that timed out.
  private assertTurnInTime(held: HeldHandshake): void {
    if (Date.now() - held.arrivedAt >= this.settings.limits.handshakeTimeoutMs)
      throw this.shedder.waitedTooLong();
  }

  // A refused handshake: logged when it is a fault, reported, and handed back to be thrown.
  private refused(error: unknown, request: IncomingMessage, transport: TransportName): unknown {
    this.logFault(error, request, transport);
    return reportRefusal(this.events, transport, error);
  }

  private assertNotExpired(client: HandshakeClient): HandshakeClient {
    if (this.expiry.hasExpired(client.principal)) {
      throw new ChannelsException(ErrorCode.UNAUTHORIZED, 'The credentials have expired.');
    }
    return client;
  }

  // A guard that never settles (a hung auth service, say) must not hold a socket forever.
  private async withinTimeout<T>(
    work: (attempt: Attempt) => Promise<T>,
    since = Date.now(),
  ): Promise<T> {
    const attempt: Attempt = { abandoned: false };
    // One promise, settled by the work or by the deadline, whichever comes first (not a race
    // of two: this runs once per handshake).
    return new Promise<T>((resolve, reject) => {
      const expire = (): void => {
        attempt.abandoned = true;
        attempt.slot?.release();
        reject(timedOut());
      };
      this.deadlines.add(expire, since + this.settings.limits.handshakeTimeoutMs);
      work(attempt).then(
        (value) => {
          this.deadlines.delete(expire);
          resolve(value);
        },
        (error: unknown) => {
          this.deadlines.delete(expire);
          reject(error);
        },
      );
    });
  }
}

/** A handshake admitted past the shedder, waiting to be taken up (see `ConnectionAdmission.hold`). */
export interface HeldHandshake {
  /** When it arrived, in ms since the epoch: its deadline runs from here. */
  readonly arrivedAt: number;
}

interface Attempt {
  abandoned: boolean;
  /** What the attempt holds, given back when it times out while a guard still runs. */
  slot?: QuotaSlot;
}

function forbiddenOrigin(): ChannelsException {
  return new ChannelsException(ErrorCode.FORBIDDEN, 'This origin is not allowed.');
}

function timedOut(): ChannelsException {
  return new ChannelsException(ErrorCode.INTERNAL, 'The handshake timed out.');
}
