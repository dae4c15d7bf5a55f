import type { DeliveryPolicy, GapFrame } from './delivery-policy.js';
/**
 * The frames of protocol v1 (see docs/protocol.md). Every shape a client can observe is here.
 */
import type { ErrorCode } from './codes.js';
import type { StreamReplyInfo } from './stream-channel.js';

export { CloseCode, ErrorCode } from './codes.js';

/**
 * The protocol version announced in the welcome frame (`data.protocol`).
 * @example if (welcome.data.protocol !== PROTOCOL_VERSION) throw new Error('Unsupported protocol');
 */
export const PROTOCOL_VERSION = 1;

/**
 * A command sent by a client.
 * @example { "id": 7, "event": "notifications.markRead", "data": { "ids": ["n1"] } }
 */
export interface CommandFrame {
  /** Positive integer; with it the server answers exactly once. */
  id?: number;
  /** The event name: `subscribe`, `unsubscribe`, or one routed to the app's handler. */
  event: string;
  /** The payload, any JSON value. */
  data?: unknown;
}

/**
 * The data of the welcome frame, the first frame a connection receives (over SSE, the data of
 * the `connected` event).
 * @example
 * { "connectionId": "6f1c2b9e-4d3a-4c1e-9a57-2f0e8b7d5c11", "heartbeatMs": 25000, "protocol": 1 }
 */
export interface WelcomeData {
  /** The server's id of this connection; over SSE, the `X-Channels-Connection` of its POSTs. */
  connectionId: string;
  /**
   * The server's heartbeat interval, in milliseconds: its WebSocket pings (`heartbeatMs`), or
   * its SSE `: ping` comments (`sseHeartbeatMs`).
   */
  heartbeatMs: number;
  /** The protocol version, {@link PROTOCOL_VERSION}. */
  protocol: number;
}

/**
 * A reply correlated to a command's `id`: the handler's result, or `null` when it returned
 * nothing.
 * @example { "id": 7, "data": { "unread": 3 } }
 */
export interface ReplyFrame {
  /** The `id` of the command it answers. */
  id: number;
  /** The handler's result (`null` when there is none, and for a streamed reply). */
  data: unknown;
  /**
   * Present when the handler answered with a stream: the stream channel its values arrive on
   * (docs/protocol.md, "Streamed replies"); `data` is then `null`.
   */
  stream?: StreamReplyInfo;
}

/**
 * The body of an error frame.
 * @example
 * { "code": "RATE_LIMITED", "message": "Too many messages: retry in 900 ms.", "retryAfterMs": 900 }
 */
export interface ErrorBody {
  /** A stable code from {@link ErrorCode}. */
  code: ErrorCode;
  /** A human-readable message, never a stack or internals. */
  message: string;
  /** Per-field details for `VALIDATION_FAILED`. */
  details?: ValidationDetail[];
  /** For `VALIDATION_FAILED`: how many details were left out of `details` (at most 20 are sent). */
  omitted?: number;
  /** For `RATE_LIMITED` and `UNAVAILABLE`: how long to wait before trying again. */
  retryAfterMs?: number;
  /**
   * The HTTP status of an app's `HttpException` (e.g. 409, 418), of a busy server (503), or of
   * an `UNAVAILABLE` (503).
   */
  status?: number;
}

/**
 * An error frame, correlated by `id` when the command carried one.
 * @example
 * { "id": 7, "error": { "code": "FORBIDDEN", "message": "Only moderators may pin messages." } }
 */
export interface ErrorFrame {
  /** The `id` of the command it answers; absent when the error is tied to no command id. */
  id?: number;
  error: ErrorBody;
}

/**
 * One field that failed validation: its property path and the constraint messages.
 * @example { "property": "ids", "messages": ["ids must be an array"] }
 */
export interface ValidationDetail {
  /** The property path, e.g. `items.0.name`. */
  property: string;
  /** The constraint messages of that property. */
  messages: string[];
}

/**
 * A push published to a channel.
 * @example
 * { "channel": "user:42", "event": "notification", "data": { "id": "n1" }, "offset": 18, "epoch": "k3J9" }
 */
export interface PushFrame<T = unknown> {
  /** The channel it was published on. */
  channel: string;
  /** The event name given to `ChannelsService.publish`. */
  event: string;
  /** The payload (`null` when published without one). */
  data: T;
  /** Position of this push in the channel's history: the previous push's offset plus one. */
  offset: number;
  /** Identifies the history the offset belongs to; it changes when history is lost. */
  epoch: string;
  /**
   * `true` on a delta push (a subscriber that asked for deltas): `data` is then the bytes of a
   * Fossil delta from the previous push's `data` (its JSON text) to this one's. The SDK applies
   * it: an app's handler always sees full data. See docs/protocol.md, "Delta pushes".
   * @default undefined (a full push)
   */
  delta?: true;
}

/**
 * A channel moved on with a push this connection was excluded from
 * (`ChannelsService.publish(..., { except })`): no `event`, no `data`, nothing to deliver. The
 * connection's position in the channel is now `offset`, so the next push carries `offset + 1`
 * and the skipped offset is not a gap. Over SSE it is an `event: position` whose `id:` moves
 * the cursor.
 * @example { "channel": "room:lobby", "offset": 18, "epoch": "k3J9" }
 */
export interface PositionFrame {
  /** The channel that moved. */
  channel: string;
  /** The offset of the push this connection did not get. */
  offset: number;
  /** The epoch of that push. */
  epoch: string;
  /** Never present: what tells a position frame from a push. */
  event?: never;
}

/**
 * Whether a frame on a channel is a {@link PositionFrame} (it has no `event`), not a push.
 * @example if (isPositionFrame(frame)) position = frame; else render(frame.data);
 */
export function isPositionFrame(
  frame: PushFrame | PositionFrame | GapFrame,
): frame is PositionFrame {
  return !('event' in frame);
}

/**
 * A position in a channel's history, as a client sends it in `subscribe.since`: the epoch and
 * offset of the last push it received.
 * @example
 * { "event": "subscribe", "data": { "channel": "user:42", "since": { "epoch": "k3J9", "offset": 17 } } }
 */
export interface StreamPosition {
  /** The history the offset belongs to (a push's `epoch`). */
  epoch: string;
  /** The offset of the last push received. */
  offset: number;
}

/**
 * The reply to the built-in `subscribe` command.
 * @example { "channel": "user:42", "offset": 18, "epoch": "k3J9", "recovered": true, "missed": [] }
 */
export interface SubscribeReply {
  channel: string;
  /**
   * The offset of the channel's latest push (0 before the first): the next live push has
   * `offset + 1`.
   */
  offset: number;
  /** The channel's current epoch. */
  epoch: string;
  /**
   * With `since`: whether every push after it was replayed in `missed`; always `false` without
   * `since`.
   */
  recovered: boolean;
  /** The pushes after `since`, oldest first, when `recovered`; otherwise empty. */
  missed: PushFrame[];
  /**
   * The channel's delivery policy for a connection that falls behind (see `DeliveryPolicy`).
   * @default 'all'
   */
  delivery?: DeliveryPolicy;
  /**
   * `'fossil'` when the subscriber asked for deltas (`subscribe { delta: 'fossil' }`) and the
   * channel allows them: its pushes after the first may be Fossil deltas (`delta: true`).
   * @default undefined (full pushes only)
   */
  delta?: 'fossil';
}
