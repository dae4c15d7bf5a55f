import type { GapFrame } from './delivery-policy.js';
import type { PositionFrame, PushFrame } from './frames.js';
import { encodeBinaryFrame, encodeTextFrame, framePayload } from './ws-frame.encoder.js';
import { stringifyFrame } from './binary-value.js';
import { packFrame } from './msgpack.codec.js';

/**
 * A push serialized once by the fan-out and written as is to every subscriber. Build one with
 * `encodePush` (or `encodePosition`, for the subscribers a push excludes); a transport may fill
 * the optional caches the first time it writes it, so its other subscribers reuse them.
 * @example
 * connection.deliver(encodePush(push)); // { frame, json, bytes, wsFrame }
 */
export interface EncodedPush {
  /**
   * The push itself, the position frame that stands for it (no `event`, no `data`), or the
   * gap of a `drop` channel (no `data`).
   */
  readonly frame: PushFrame | PositionFrame | GapFrame;
  /** The frame as JSON text (byte arrays as `{ "$binary": "<base64>" }`). */
  readonly json: string;
  /** The same text as UTF-8 bytes. */
  readonly bytes: Buffer;
  /** @internal The frame as one WebSocket text frame (header and `bytes`). */
  wsFrame?: Buffer;
  /** @internal The frame as one WebSocket binary frame of MessagePack, made on first use. */
  msgpackFrame?: Buffer;
  /** @internal Its permessage-deflate frames, by opcode and window, made on first use. */
  deflated?: Map<string, Buffer>;
  /** @internal The SSE event's lines after its `id:` line, shared by every stream. */
  sseTail?: string;
  /** @internal The whole SSE event for a stream whose only channel is the frame's. */
  sseSolo?: Buffer;
  /**
   * @internal This push's number as a delta base on this node (set when its channel has delta
   * subscribers): unique per node, so no epoch change can make two bases look alike.
   */
  deltaSeq?: number;
  /**
   * @internal The same push as a Fossil delta (`delta: true`) from the push numbered
   * `baseSeq`, when the channel has delta subscribers and the delta frame is the smaller one.
   */
  delta?: { readonly baseSeq: number; readonly push: EncodedPush };
}

/**
 * Serializes a push once for all its subscribers: the JSON text, and the WebSocket frame
 * around it in one Buffer (`bytes` is a view of that frame's payload, not a copy).
 *
 * @example
 * const encoded = encodePush(push);
 * for (const connection of subscribers) connection.deliver(encoded);
 */
export function encodePush(frame: PushFrame | PositionFrame | GapFrame): EncodedPush {
  const json = stringifyFrame(frame);
  const wsFrame = encodeTextFrame(json);
  return { frame, json, bytes: framePayload(wsFrame), wsFrame };
}

/**
 * Serializes the position frame of a push (`{ channel, offset, epoch }`), written instead of
 * the push to the connections it excludes: they learn the channel moved without receiving it.
 *
 * @example
 * encodePosition(push).json // '{"channel":"room:1","offset":7,"epoch":"k3J9"}'
 */
export function encodePosition(push: PushFrame): EncodedPush {
  const position: PositionFrame = { channel: push.channel, offset: push.offset, epoch: push.epoch };
  return encodePush(position);
}

/**
 * The push as a WebSocket binary frame of MessagePack, packed the first time a MessagePack
 * subscriber asks and then shared by all of them: one encoding per push and encoding.
 *
 * @example socket.write(msgpackPushFrame(encoded));
 */
export function msgpackPushFrame(push: EncodedPush): Buffer {
  return (push.msgpackFrame ??= encodeBinaryFrame(packFrame(push.frame)));
}
