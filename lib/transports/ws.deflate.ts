import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { EncodedPush } from '../protocol/push.encoder.js';
import { framePayload, frameWithHeader } from '../protocol/ws-frame.encoder.js';

/**
 * How one connection compresses what it sends (permessage-deflate, no context takeover):
 * frames of at least `threshold` payload bytes, with a window of `windowBits` (the server's
 * setting, or less when the client asked for less).
 */
export interface DeflateParams {
  readonly threshold: number;
  readonly level: number;
  readonly windowBits: number;
}

// RFC 7692 7.2.1: a message ends with an empty stored block (00 00 ff ff), which is left out.
const TRAILER_LENGTH = 4;

/**
 * A frame made by this module (text or binary, header and payload), compressed as one
 * permessage-deflate message: RSV1 set, the payload deflated on its own (no context
 * takeover), so the result can go to every connection with the same parameters.
 * @example deflateFrame(encodeTextFrame(json), { threshold: 1024, level: 6, windowBits: 15 })
 */
export function deflateFrame(frame: Buffer, params: DeflateParams): Buffer {
  const payload = framePayload(frame);
  const deflated = deflateRawSync(payload, {
    level: params.level,
    windowBits: params.windowBits,
    finishFlush: constants.Z_SYNC_FLUSH,
  });
  const length = deflated.length - TRAILER_LENGTH;
  const compressed = frameWithHeader(frame[0]! | 0x40, length); // RSV1: compressed
  deflated.copy(compressed, compressed.length - length, 0, length);
  return compressed;
}

/**
 * `frame` as this connection sends it: compressed when its payload reaches the threshold,
 * else as is. For a push (`push` given), the compressed frame is made once and shared by
 * every connection with the same window.
 */
export function maybeDeflate(frame: Buffer, params: DeflateParams, push?: EncodedPush): Buffer {
  if (framePayload(frame).length < params.threshold) return frame;
  if (!push) return deflateFrame(frame, params);
  const key = `${frame[0]}:${params.windowBits}`;
  const cache = (push.deflated ??= new Map());
  let compressed = cache.get(key);
  if (!compressed) cache.set(key, (compressed = deflateFrame(frame, params)));
  return compressed;
}

/**
 * The payload of a frame made by this module, inflated when it was compressed: for the rare
 * write that must go through `ws`'s own sender, which frames (and compresses) by itself.
 * @example plainPayload(deflateFrame(encodeTextFrame('{}'), params)).toString() // '{}'
 */
export function plainPayload(frame: Buffer): Buffer {
  const payload = framePayload(frame);
  if ((frame[0]! & 0x40) === 0) return payload;
  return inflateRawSync(Buffer.concat([payload, Buffer.from([0x00, 0x00, 0xff, 0xff])]), {
    finishFlush: constants.Z_SYNC_FLUSH,
  });
}
