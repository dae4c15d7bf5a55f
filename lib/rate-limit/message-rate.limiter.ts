import { Inject, Injectable, Logger } from '@nestjs/common';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import type { Connection } from '../connection/connection.js';
import { HandlerRegistry } from '../gateway/handler.registry.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { CloseCode, ErrorCode } from '../protocol/frames.js';
import { RateLimitBucket } from './rate-limit.bucket.js';
import { ChannelsEvents } from '../connection/channels.events.js';
import type { ResolvedMessageRateLimit } from '../settings/rate-limit.budgets.js';
import { RateLimitStore } from './rate-limit.store.js';

/** Per-connection bookkeeping: the abuse window, and the event buckets to free on close. */
interface ConnectionState {
  windowStart: number;
  rejections: number;
  events: Set<string>;
}

/**
 * Limits the commands of each connection, on every transport: the router asks it before any
 * handler (built-ins included) runs. Over the budget a command is answered `RATE_LIMITED`
 * with `retryAfterMs`; a connection rejected `abuseThreshold` times within `abuseWindowMs` is
 * closed with 4429, once the commands it sent before that decision have been answered (at most
 * `shutdown.timeoutMs` later; see `Connection.closeAfterAnswers`). A connection's counters are
 * freed when it closes.
 */
@Injectable()
export class MessageRateLimiter {
  private readonly logger = new Logger('Channels');
  private readonly limit: ResolvedMessageRateLimit | false;
  private readonly shared?: RateLimitBucket;
  private readonly perEvent = new Map<string, RateLimitBucket>();
  private readonly states = new WeakMap<Connection, ConnectionState>();
  // How long an abusive connection's close waits for the answers it is owed.
  private readonly closeGraceMs: number;

  constructor(
    @Inject(CHANNELS_SETTINGS) settings: ChannelsSettings,
    private readonly store: RateLimitStore,
    private readonly registry: HandlerRegistry,
    private readonly events: ChannelsEvents,
  ) {
    this.limit = settings.rateLimits.message;
    this.closeGraceMs = settings.shutdown.timeoutMs;
    if (this.limit) this.shared = new RateLimitBucket(store, 'msg', this.limit, this.logger);
  }

  /**
   * Counts one command of `event` (`undefined`: a frame that could not be parsed).
   * @throws ChannelsException `RATE_LIMITED` with `retryAfterMs`, over the budget
   */
  async consume(connection: Connection, event: string | undefined): Promise<void> {
    if (!this.limit) return;
    const state = this.stateOf(connection);
    const bucket = this.bucketFor(event, state);
    const retryAfterMs = await bucket.take(this.limit.key(connection));
    if (retryAfterMs === undefined) return;
    this.events.emit({ type: 'rate.limited', scope: 'message', connection, event, retryAfterMs });
    this.recordRejection(connection, state, this.limit);
    throw new ChannelsException(
      ErrorCode.RATE_LIMITED,
      `Too many messages: retry in ${retryAfterMs} ms.`,
      { retryAfterMs },
    );
  }

  /**
   * Whether commands of events `a` and `b` take from the same budget: the shared one, or one
   * event's own `@RateLimit` (`undefined`: a frame whose event is not known).
   */
  sameBudget(a: string | undefined, b: string | undefined): boolean {
    return a === b || !this.limit || (!this.budgetOf(a) && !this.budgetOf(b));
  }

  private budgetOf(event: string | undefined) {
    return event === undefined ? undefined : this.registry.messages.get(event)?.rateLimit;
  }

  private bucketFor(event: string | undefined, state: ConnectionState): RateLimitBucket {
    const budget = this.budgetOf(event);
    if (!budget) return this.shared!;
    let bucket = this.perEvent.get(event!);
    if (!bucket) {
      bucket = new RateLimitBucket(this.store, `event:${event}`, budget, this.logger);
      this.perEvent.set(event!, bucket);
    }
    state.events.add(event!);
    return bucket;
  }

  private stateOf(connection: Connection): ConnectionState {
    let state = this.states.get(connection);
    if (!state) {
      state = { windowStart: Date.now(), rejections: 0, events: new Set() };
      this.states.set(connection, state);
      const settings = this.limit as ResolvedMessageRateLimit;
      // Only a connection-scoped bucket may be dropped on close: dropping a shared one (a
      // principal's, or the id every unbound POST of a principal shares) would let a client
      // reset its budget by reconnecting. Those expire with their window instead.
      if (settings.defaultKey && !connection.transient) {
        connection.onClose(() => this.forget(connection, state!));
      }
    }
    return state;
  }

  private recordRejection(
    connection: Connection,
    state: ConnectionState,
    settings: ResolvedMessageRateLimit,
  ): void {
    const now = Date.now();
    if (now - state.windowStart >= settings.abuseWindowMs) {
      state.windowStart = now;
      state.rejections = 0;
    }
    state.rejections++;
    if (state.rejections >= settings.abuseThreshold) {
      // The refusals and replies of the commands already read leave first (PROTOCOL: a close
      // never swallows an answer); commands read from now on are not handled.
      connection.closeAfterAnswers(
        CloseCode.TOO_MANY,
        'Rate limit exceeded repeatedly.',
        this.closeGraceMs,
      );
    }
  }

  private forget(connection: Connection, state: ConnectionState): void {
    this.shared?.forget(connection.id);
    for (const event of state.events) this.perEvent.get(event)?.forget(connection.id);
    this.states.delete(connection);
  }
}
