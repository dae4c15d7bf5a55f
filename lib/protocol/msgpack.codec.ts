import { Packr } from 'msgpackr';

/**
 * The MessagePack codec of the `channels.v1.msgpack` subprotocol (`msgpackr`, chosen for its
 * speed: it packs a 6 KB push about 3x faster than `@msgpack/msgpack`, see BENCHMARKS.md).
 * Plain MessagePack, no records or extensions of msgpackr's own, so any MessagePack library
 * reads it; properties whose value is `undefined` are left out, as JSON does. Byte arrays are
 * `bin` values and decode as bytes (`Buffer` in Node, `Uint8Array` in browsers).
 *
 * The server imports it statically; the SDK imports it only when `encoding: 'msgpack'` is
 * chosen (a dynamic import), so a JSON client never loads it.
 */
const packr = new Packr({
  useRecords: false,
  moreTypes: false,
  mapsAsObjects: true,
  skipValues: [undefined],
  int64AsType: 'number',
} as ConstructorParameters<typeof Packr>[0] & { skipValues: unknown[] });

/**
 * A frame as MessagePack bytes.
 * @example packFrame({ event: 'ping' }) // <Buffer 81 a5 65 76 65 6e 74 a4 70 69 6e 67>
 */
export function packFrame(frame: unknown): Uint8Array {
  return packr.pack(frame);
}

/**
 * The frame in MessagePack `bytes`.
 * @throws Error when the bytes are not one whole MessagePack value
 * @example unpackFrame(packFrame({ event: 'ping' })) // { event: 'ping' }
 */
export function unpackFrame(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}
