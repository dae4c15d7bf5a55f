import { MSGPACK_PROTOCOL_NAME, PROTOCOL_NAME } from '../protocol/built-in-events.js';
import { mayHoldBinary, reviveBinary, stringifyFrame } from '../protocol/binary-value.js';

/**
 * The encoding of a WebSocket connection: `'json'` (`channels.v1`, text) or `'msgpack'`
 * (`channels.v1.msgpack`, binary; smaller frames and byte arrays as bytes). SSE is JSON always.
 * @default 'json'
 * @example new ChannelsClient({ url, encoding: 'msgpack' })
 */
export type ClientEncoding = 'json' | 'msgpack';

/**
 * How the SDK writes and reads the frames of one encoding.
 * @example const codec = await loadWireCodec('msgpack'); socket.send(codec.encode(frame));
 */
export interface WireCodec {
  /** The WebSocket subprotocol that selects it. */
  readonly protocol: string;
  /** A frame as the message to send (text for JSON, bytes for MessagePack). */
  encode(frame: object): string | Uint8Array;
  /** The frame in a received message; `undefined` for a message it cannot read. */
  decode(data: unknown): unknown;
}

/**
 * Parses a JSON frame, byte arrays (`{ "$binary": … }`) back as bytes; `undefined` when it is
 * not JSON.
 * @example parseJsonFrame('{"data":{"$binary":"AQ=="}}') // { data: Uint8Array [1] }
 */
export function parseJsonFrame(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return mayHoldBinary(text) ? reviveBinary(value) : value;
  } catch {
    return undefined;
  }
}

/** The JSON codec: the default, always loaded. */
export const JSON_CODEC: WireCodec = {
  protocol: PROTOCOL_NAME,
  encode: (frame) => stringifyFrame(frame),
  decode: (data) => (typeof data === 'string' ? parseJsonFrame(data) : undefined),
};

let msgpack: Promise<WireCodec> | undefined;

/**
 * The codec of `encoding`. MessagePack's is imported on first use only (a dynamic import, a
 * chunk of its own in a bundler), so a JSON client never loads it.
 * @example await loadWireCodec('msgpack') // { protocol: 'channels.v1.msgpack', … }
 */
export function loadWireCodec(encoding: ClientEncoding): Promise<WireCodec> {
  if (encoding === 'json') return Promise.resolve(JSON_CODEC);
  return (msgpack ??= import('../protocol/msgpack.codec.js').then(
    ({ packFrame, unpackFrame }): WireCodec => ({
      protocol: MSGPACK_PROTOCOL_NAME,
      encode: (frame) => packFrame(frame),
      decode: (data) => {
        const bytes = toBytes(data);
        if (!bytes) return undefined;
        try {
          return unpackFrame(bytes);
        } catch {
          return undefined;
        }
      },
    }),
  ));
}

// What a binary message arrives as: an ArrayBuffer (binaryType 'arraybuffer'), or a Buffer.
function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((part) => part instanceof Uint8Array)) {
    const total = data.reduce((sum: number, part: Uint8Array) => sum + part.length, 0);
    const joined = new Uint8Array(total);
    let at = 0;
    for (const part of data as Uint8Array[]) {
      joined.set(part, at);
      at += part.length;
    }
    return joined;
  }
  return undefined;
}
