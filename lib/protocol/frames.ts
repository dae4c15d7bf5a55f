/**
 * The frames of protocol v1 (see docs/protocol.md). Every shape a client can observe is here.
 */

/** The protocol version announced in the welcome frame. */
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

/** The data of the welcome frame, the first frame a connection receives. */
export interface WelcomeData {
  connectionId: string;
  heartbeatMs: number;
  protocol: number;
}

/** The welcome frame. */
export interface WelcomeFrame {
  event: 'connected';
  data: WelcomeData;
}

/** A reply correlated to a command's `id`. */
export interface ReplyFrame {
  id: number;
  data: unknown;
}

/** The body of an error frame. */
export interface ErrorBody {
  /** A stable code from {@link ErrorCode}. */
  code: ErrorCode;
  /** A human-readable message, never a stack or internals. */
  message: string;
  /** Per-field details for `VALIDATION_FAILED`. */
  details?: ValidationDetail[];
  /** For `RATE_LIMITED`: how long to wait before trying again. */
  retryAfterMs?: number;
}

/** An error frame, correlated by `id` when the command carried one. */
export interface ErrorFrame {
  id?: number;
  error: ErrorBody;
}

/** One field that failed validation: its property path and the constraint messages. */
export interface ValidationDetail {
  property: string;
  messages: string[];
}

/** A push published to a channel. */
export interface PushFrame<T = unknown> {
  channel: string;
  event: string;
  data: T;
  /** Position of this push in the channel's history: the previous push's offset plus one. */
  offset: number;
  /** Identifies the history the offset belongs to; it changes when history is lost. */
  epoch: string;
}

/** A position in a channel's history, as a client sends it in `subscribe.since`. */
export interface StreamPosition {
  epoch: string;
  offset: number;
}

/** The reply to the built-in `subscribe` command. */
export interface SubscribeReply {
  channel: string;
  offset: number;
  epoch: string;
  recovered: boolean;
  missed: PushFrame[];
}

/** The stable error codes of protocol v1. */
export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  INTERNAL: 'INTERNAL',
} as const;

/** One of the stable error codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The WebSocket close codes of protocol v1. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  SLOW_CONSUMER: 4008,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
  HEARTBEAT_TIMEOUT: 4408,
  TOO_MANY: 4429,
} as const;

/** One of the close codes. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
