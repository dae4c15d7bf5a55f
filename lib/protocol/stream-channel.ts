/**
 * Streamed replies (docs/protocol.md, "Streamed replies"): the names a client sees. A handler
 * that answers with a stream of values replies `{ id, data: null, stream: { channel, epoch } }`
 * and its values arrive as pushes on that channel.
 */

/**
 * The prefix of every stream channel. Such a channel is private to the principal that sent
 * the command: no `@OnJoin` pattern of the app is consulted for it.
 * @example isStreamChannel('stream:Yq3…') // true
 */
export const STREAM_CHANNEL_PREFIX = 'stream:';

/**
 * The push events of a stream channel: each value, then exactly one of `end` or `error`.
 * @example if (push.event === STREAM_EVENTS.end) done();
 */
export const STREAM_EVENTS = {
  /** One value of the stream: `data` is the value. */
  data: 'stream.data',
  /** The stream completed: `data` is `null`; nothing follows. */
  end: 'stream.end',
  /** The stream failed: `data` is `{ code, message }` as in an error frame; nothing follows. */
  error: 'stream.error',
} as const;

/**
 * What a streamed reply carries instead of a value: the stream channel (the connection is
 * already subscribed to it) and its epoch (the first value has offset 1).
 * @example { "channel": "stream:Yq3…", "epoch": "k3J9" }
 */
export interface StreamReplyInfo {
  /** The stream channel; subscribe again to it with `since` after a reconnect. */
  channel: string;
  /** The epoch of its history. */
  epoch: string;
}

/**
 * Whether a channel is a stream channel (see {@link STREAM_CHANNEL_PREFIX}).
 * @example if (isStreamChannel(channel)) authorizeOwner(channel);
 */
export function isStreamChannel(channel: string): boolean {
  return channel.startsWith(STREAM_CHANNEL_PREFIX);
}

/**
 * Whether a push event is the last of a stream (`stream.end` or `stream.error`).
 * @example if (isStreamEnd(push.event)) response.end();
 */
export function isStreamEnd(event: string | undefined): boolean {
  return event === STREAM_EVENTS.end || event === STREAM_EVENTS.error;
}
