import type { Connection } from './connection.js';

/**
 * Why a streamed reply ended: it `completed` or `failed` by itself, or it was cancelled
 * (`unsubscribed` by its client, `idle`: nobody of its principal listened for `streams.idleMs`,
 * `shutdown`: the node shut down while it ran).
 * @example const cancelled = reason !== 'completed' && reason !== 'failed';
 */
export type StreamEndReason = 'completed' | 'failed' | 'unsubscribed' | 'idle' | 'shutdown';

/**
 * A handler answered with a stream, which now runs on this node.
 * @example events.on('stream.started', ({ event, channel }) => log(event, channel));
 */
export interface StreamStartedEvent {
  readonly type: 'stream.started';
  /** The connection whose command started it (a transient one for a POST without stream). */
  readonly connection: Connection;
  /** The command's event (the handler's name). */
  readonly event: string;
  /** The stream channel. */
  readonly channel: string;
}

/**
 * A client subscribed to a stream channel again from a position (`since`, or an SSE cursor):
 * it resumes a stream after a reconnect, on this node, wherever the stream runs.
 * @example events.on('stream.resumed', ({ recovered }) => !recovered && log.warn('lost values'));
 */
export interface StreamResumedEvent {
  readonly type: 'stream.resumed';
  readonly connection: Connection;
  readonly channel: string;
  /** Whether the history still held every value missed. */
  readonly recovered: boolean;
}

/**
 * A stream that ran on this node ended, with the reason (see {@link StreamEndReason}); its
 * teardown has run. Emitted once per stream.
 * @example events.on('stream.ended', (e) => e.reason === 'idle' && log.warn(e.channel));
 */
export interface StreamEndedEvent {
  readonly type: 'stream.ended';
  /** The command's event. */
  readonly event: string;
  readonly channel: string;
  readonly reason: StreamEndReason;
  /** How many values it published. */
  readonly values: number;
  /** From its start to its end, in milliseconds. */
  readonly durationMs: number;
}

/**
 * The lifecycle events of streamed replies.
 * @example function onStream(e: StreamEvent) { if (e.type === 'stream.ended') count(e.reason); }
 */
export type StreamEvent = StreamStartedEvent | StreamResumedEvent | StreamEndedEvent;
