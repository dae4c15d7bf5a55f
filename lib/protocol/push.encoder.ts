import type { PushFrame } from './frames.js';
import { encodeTextFrame, framePayload } from './ws-frame.encoder.js';

/**
 * A push serialized once by the fan-out and written as is to every subscriber. Build one with
 * `encodePush`; a transport may fill the optional caches the first time it writes the push, so
 * its other subscribers reuse them.
 * @example
 * connection.deliver(encodePush(push)); // { frame, json, bytes, wsFrame }
 */
export interface EncodedPush {
  /** The push itself. */
  readonly frame: PushFrame;
  /** The push frame as JSON text. */
  readonly json: string;
  /** The same text as UTF-8 bytes. */
  readonly bytes: Buffer;
  /** @internal The push as one WebSocket text frame (header and `bytes`). */
  wsFrame?: Buffer;
  /** @internal The SSE event's lines after its `id:` line, shared by every stream. */
  sseTail?: string;
  /** @internal The whole SSE event for a stream whose only channel is the push's. */
  sseSolo?: Buffer;
}

/**
 * Serializes a push once for all its subscribers: the JSON text, and the WebSocket frame
 * around it in one Buffer (`bytes` is a view of that frame's payload, not a copy).
 *
 * @example
 * const encoded = encodePush(push);
 * for (const connection of subscribers) connection.deliver(encoded);
 */
export function encodePush(frame: PushFrame): EncodedPush {
  const json = JSON.stringify(frame);
  const wsFrame = encodeTextFrame(json);
  return { frame, json, bytes: framePayload(wsFrame), wsFrame };
}
