import type { PushFrame } from '../protocol/frames.js';
import { encodeTextFrame } from '../transports/ws-frame.encoder.js';
import type { EncodedPush } from './connection.js';

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
  // The second byte is the length itself (< 126), or 126 / 127 for a 16 / 64-bit length.
  const header = wsFrame[1] === 126 ? 4 : wsFrame[1] === 127 ? 10 : 2;
  return { frame, json, bytes: wsFrame.subarray(header), wsFrame };
}
