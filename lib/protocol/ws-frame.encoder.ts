/**
 * Length of the header of an unmasked server frame carrying `payloadLength` bytes.
 * @example frameHeaderLength(125) // 2; frameHeaderLength(126) // 4; frameHeaderLength(65_536) // 10
 */
export function frameHeaderLength(payloadLength: number): number {
  if (payloadLength < 126) return 2;
  return payloadLength < 65_536 ? 4 : 10;
}

/**
 * The payload of a frame made by {@link encodeTextFrame} (a view, not a copy).
 * @example framePayload(encodeTextFrame('{"a":1}')).toString() // '{"a":1}'
 */
export function framePayload(frame: Buffer): Buffer {
  // The second byte is the length itself (< 126), or 126 / 127 for a 16 / 64-bit length.
  return frame.subarray(frame[1] === 126 ? 4 : frame[1] === 127 ? 10 : 2);
}

/**
 * Frames JSON text as one final, unmasked RFC 6455 text frame (a server never masks), header
 * and payload in one Buffer: the fan-out frames a push once and writes these same bytes to
 * every WebSocket subscriber, where `ws.send` would frame it again for each of them.
 *
 * @example
 * encodeTextFrame('{"a":1}') // <Buffer 81 07 7b 22 61 22 3a 31 7d>
 */
export function encodeTextFrame(json: string): Buffer {
  const length = Buffer.byteLength(json);
  const frame = frameWithHeader(0x81, length); // FIN + text opcode
  frame.write(json, frame.length - length, 'utf8');
  return frame;
}

/**
 * Frames bytes (a MessagePack frame) as one final, unmasked binary frame, header and payload
 * in one Buffer, like {@link encodeTextFrame}.
 * @example encodeBinaryFrame(Uint8Array.of(0x80)) // <Buffer 82 01 80>
 */
export function encodeBinaryFrame(payload: Uint8Array): Buffer {
  const frame = frameWithHeader(0x82, payload.length); // FIN + binary opcode
  frame.set(payload, frame.length - payload.length);
  return frame;
}

/**
 * A Buffer for a whole unmasked frame whose first byte is `first` (FIN, RSV and opcode bits)
 * and whose payload is `length` bytes: the header written, the payload for the caller to write
 * at `frame.length - length`.
 * @example frameWithHeader(0x82, 3) // <Buffer 82 03 ?? ?? ??>
 */
export function frameWithHeader(first: number, length: number): Buffer {
  const header = frameHeaderLength(length);
  // allocUnsafe: every byte is written by the caller; small frames come from Node's shared pool.
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = first;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  return frame;
}
