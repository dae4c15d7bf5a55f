import type { Connection } from './connection.js';
import type { TransportName } from './handshake.js';
import type { PushFrame } from '../protocol/frames.js';
import type { StreamEvent } from './stream-event.types.js';

/** Who ended a connection: the server (any `close()` on it) or the client (or its network). */
export type CloseInitiator = 'server' | 'client';

/** Which limit refused: a handshake (per client IP), a command (per connection or event), or a forwarded POST (per principal and IP). */
export type RateLimitScope = 'handshake' | 'message' | 'forwarded';

/**
 * A connection passed its handshake and is live (registered). Emitted once per connection.
 * @example events.on('connection.opened', ({ connection }) => audit.log('in', connection.id));
 */
export interface ConnectionOpenedEvent {
  readonly type: 'connection.opened';
  readonly connection: Connection;
  readonly transport: TransportName;
}

/**
 * A handshake was refused before any connection existed. `reason` is the error code the client
 * got (`UNAUTHORIZED`, `FORBIDDEN`, `RATE_LIMITED`, `INTERNAL` for a timeout, ...).
 * @example events.on('handshake.refused', (e) => e.reason === 'UNAUTHORIZED' && failedLogins++);
 */
export interface HandshakeRefusedEvent {
  readonly type: 'handshake.refused';
  readonly transport: TransportName;
  readonly reason: string;
  /** What was thrown (a `ChannelsException`, or what a guard threw). */
  readonly error: unknown;
}

/**
 * A subscription was recorded on a connection. A subscribe that then fails (history read,
 * broker) is followed by `subscription.removed`, so the two always pair up.
 * @example events.on('subscription.added', ({ channel }) => presence.join(channel));
 */
export interface SubscriptionAddedEvent {
  readonly type: 'subscription.added';
  readonly connection: Connection;
  readonly channel: string;
}

/**
 * A subscription ended: an `unsubscribe`, a failed subscribe, or the connection's close.
 * @example events.on('subscription.removed', ({ channel }) => presence.leave(channel));
 */
export interface SubscriptionRemovedEvent {
  readonly type: 'subscription.removed';
  readonly connection: Connection;
  readonly channel: string;
}

/**
 * A command was answered (or, without an `id`, finished): the built-in `subscribe` /
 * `unsubscribe` or an app handler. `event` is `undefined` for a frame that could not be parsed.
 * @example events.on('command.handled', (e) => e.result !== 'ok' && log.warn(e.event, e.result));
 */
export interface CommandHandledEvent {
  readonly type: 'command.handled';
  readonly connection: Connection;
  /** The command's event as the client sent it (unbounded: check `known` before using it as a label). */
  readonly event: string | undefined;
  /** Whether `event` is a built-in or has a handler in the app. */
  readonly known: boolean;
  /** The channel the command's data names (`data.channel`, as `subscribe` has it), if any. */
  readonly channel?: string;
  /** `'ok'`, or the error code of the error frame it was answered with. */
  readonly result: string;
  /** From the command's arrival at the router to its answer, in milliseconds. */
  readonly durationMs: number;
}

/**
 * A rate limit refused a handshake (`scope: 'handshake'`, by client IP) or a command
 * (`scope: 'message'`). The connection caps are not rate limits and are not reported here.
 * @example events.on('rate.limited', (e) => e.scope === 'handshake' && log.warn(e.ip));
 */
export interface RateLimitedEvent {
  readonly type: 'rate.limited';
  readonly scope: RateLimitScope;
  /** The limited connection (`scope: 'message'`). */
  readonly connection?: Connection;
  /** The limited client IP (`scope: 'handshake'`, `'forwarded'`). */
  readonly ip?: string;
  /** The limited command's event (`scope: 'message'`; `undefined` for an unparsable frame). */
  readonly event?: string;
  readonly retryAfterMs: number;
}

/**
 * A connection closed. `code` is the close code the server sent or, when the client closed,
 * the one it sent (1006 when a WebSocket dropped without one; 1005 for an SSE client that went
 * away, which sends no code).
 * @example events.on('connection.closed', (e) => e.code === 4408 && heartbeatTimeouts++);
 */
export interface ConnectionClosedEvent {
  readonly type: 'connection.closed';
  readonly connection: Connection;
  readonly transport: TransportName;
  readonly code: number;
  readonly by: CloseInitiator;
}

/**
 * A connection was cut off because it did not read its pushes (more than `maxBufferedBytes`
 * unsent): close code 4008. Its `connection.closed` follows.
 * @example events.on('connection.slow', ({ connection }) => log.warn(`slow: ${connection.id}`));
 */
export interface SlowConsumerEvent {
  readonly type: 'connection.slow';
  readonly connection: Connection;
  readonly transport: TransportName;
}

/**
 * A connection that had fallen behind caught up on a `latest` or `drop` channel: `skipped`
 * pushes of the channel never reached it (replaced by a newer one on `latest`; dropped on
 * `drop`, which then got a `gap`). Once per channel per catch-up, never per push. `pattern` is
 * the `@OnJoin` (or `delivery.channels`) pattern the policy came from.
 * @example events.on('delivery.skipped', (e) => log.debug(`${e.channel}: ${e.skipped} ${e.delivery}`));
 */
export interface DeliverySkippedEvent {
  readonly type: 'delivery.skipped';
  readonly connection: Connection;
  readonly channel: string;
  readonly pattern: string;
  readonly delivery: 'latest' | 'drop';
  readonly skipped: number;
}

/**
 * A push was published from this node (sequenced and kept by the broker).
 * @example events.on('push.published', ({ push }) => stats.bump(push.channel));
 */
export interface PushPublishedEvent {
  readonly type: 'push.published';
  readonly push: PushFrame;
}

/**
 * This node's fan-out wrote a push to `delivered` local subscribers: once per push per node,
 * never once per delivery.
 * @example events.on('push.delivered', ({ delivered }) => (total += delivered));
 */
export interface PushDeliveredEvent {
  readonly type: 'push.delivered';
  readonly push: PushFrame;
  /** How many connections it was written to, `sse` of them SSE streams. */
  readonly delivered: number;
  readonly sse: number;
}

/**
 * The application began to shut down: from now on the node reports itself down to health
 * checks, then its transports stop accepting and close their connections with `shutdown.closeCode`
 * (1001 by default).
 * @example events.on('shutdown.started', () => log.log('draining'));
 */
export interface ShutdownStartedEvent {
  readonly type: 'shutdown.started';
}

/**
 * A broker operation failed (a broker reports these; the module reports a failed unsubscribe).
 * `operation` is a short fixed name such as `'publish'`, `'subscribe'`, `'connection'`.
 * @example events.on('broker.error', (e) => log.error(`${e.operation}: ${String(e.error)}`));
 */
export interface BrokerErrorEvent {
  readonly type: 'broker.error';
  readonly operation: string;
  readonly error: unknown;
}

/**
 * A push published from this node came back from the broker after `durationMs`: the broker's
 * publish round trip, as a broker that spans nodes measures it.
 * @example events.on('broker.roundtrip', (e) => e.durationMs > 100 && log.warn('slow broker'));
 */
export interface BrokerRoundTripEvent {
  readonly type: 'broker.roundtrip';
  readonly durationMs: number;
}

/** What a broker may report ({@link BrokerErrorEvent}, {@link BrokerRoundTripEvent}). */
export type BrokerEvent = BrokerErrorEvent | BrokerRoundTripEvent;

/**
 * Every lifecycle event of the module, by its `type`.
 * @example function onEvent(e: ChannelsEvent) { if (e.type === 'connection.closed') use(e.code); }
 */
export type ChannelsEvent =
  | ConnectionOpenedEvent
  | HandshakeRefusedEvent
  | SubscriptionAddedEvent
  | SubscriptionRemovedEvent
  | CommandHandledEvent
  | RateLimitedEvent
  | ConnectionClosedEvent
  | SlowConsumerEvent
  | DeliverySkippedEvent
  | PushPublishedEvent
  | PushDeliveredEvent
  | ShutdownStartedEvent
  | StreamEvent
  | BrokerEvent;

/**
 * The name of an event type.
 * @example const type: ChannelsEventType = 'connection.closed';
 */
export type ChannelsEventType = ChannelsEvent['type'];

/**
 * The event of one type.
 * @example const handle = (e: ChannelsEventOf<'rate.limited'>) => e.scope;
 */
export type ChannelsEventOf<T extends ChannelsEventType> = Extract<ChannelsEvent, { type: T }>;

/**
 * One node's counts, as `ChannelsService.nodeStats()` reports them.
 * @example { node: 'b1f…', connections: { websocket: 12, sse: 3 }, subscriptions: 40, channels: 9 }
 */
export interface NodeStats {
  /** This node's id (random per process start). */
  readonly node: string;
  /** Live connections, by transport. */
  readonly connections: Readonly<Record<TransportName, number>>;
  /** Subscriptions of this node's connections, all channels together. */
  readonly subscriptions: number;
  /** Channels with at least one subscriber on this node. */
  readonly channels: number;
}
