/**
 * Binary values in frames. MessagePack carries them as its `bin` type; JSON (WebSocket
 * `channels.v1` and SSE) carries each as `{ "$binary": "<base64>" }`, which the receiving side
 * turns back into bytes. Browser-safe: `Buffer` is used where it exists (Node), `btoa`/`atob`
 * elsewhere.
 */

/** The key of the JSON stand-in for a binary value. */
export const BINARY_KEY = '$binary';

/** How deep {@link containsBinary} looks; deeper binary values are not converted. */
const MAX_DEPTH = 64;

interface NodeBufferLike {
  from(data: Uint8Array | string, encoding?: string): Uint8Array & { toString(e: string): string };
  from(data: ArrayBufferLike, offset: number, length: number): { toString(e: string): string };
}

const NodeBuffer = (globalThis as { Buffer?: NodeBufferLike }).Buffer;

/**
 * Base64 of `bytes`.
 * @example toBase64(new Uint8Array([1, 2, 3])) // 'AQID'
 */
export function toBase64(bytes: Uint8Array): string {
  if (NodeBuffer)
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/**
 * The bytes of base64 `text` (a `Buffer` in Node, a `Uint8Array` elsewhere).
 * @example fromBase64('AQID') // Uint8Array [1, 2, 3]
 */
export function fromBase64(text: string): Uint8Array {
  if (NodeBuffer) return NodeBuffer.from(text, 'base64');
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

/**
 * Whether `value` holds a byte array (`Uint8Array`, `Buffer`) at any depth up to 64.
 * @example containsBinary({ avatar: Buffer.from('x') }) // true
 */
export function containsBinary(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return false;
  if (value instanceof Uint8Array) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (containsBinary(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (containsBinary((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

// A replacer sees a Buffer after its toJSON ran: the holder still has the original value.
function binaryReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return original instanceof Uint8Array ? { [BINARY_KEY]: toBase64(original) } : value;
}

/**
 * `JSON.stringify` of a frame, with every byte array as `{ "$binary": "<base64>" }`. A frame
 * without one costs a walk and a plain `JSON.stringify`.
 * @example stringifyFrame({ data: Buffer.from([1]) }) // '{"data":{"$binary":"AQ=="}}'
 */
export function stringifyFrame(frame: unknown): string {
  return containsBinary(frame)
    ? JSON.stringify(frame, binaryReplacer)
    : (JSON.stringify(frame) as string);
}

/**
 * Turns every `{ "$binary": "<base64>" }` (an object with that one string key) in a parsed
 * JSON value back into bytes, in place; returns the value (itself bytes when it was one).
 * @example reviveBinary(JSON.parse('{"a":{"$binary":"AQ=="}}')) // { a: <Buffer 01> }
 */
export function reviveBinary<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (isBinaryStandIn(value)) return fromBase64(value[BINARY_KEY]) as T;
  const holder = value as Record<string, unknown>;
  for (const key of Object.keys(holder)) holder[key] = reviveBinary(holder[key], depth + 1);
  return value;
}

/**
 * Whether a JSON text may hold a binary stand-in (a cheap test before {@link reviveBinary}).
 * @example mayHoldBinary('{"a":{"$binary":"AQ=="}}') // true
 */
export function mayHoldBinary(text: string): boolean {
  return text.includes('"$binary"');
}

function isBinaryStandIn(value: object): value is { [BINARY_KEY]: string } {
  if (Array.isArray(value) || value instanceof Uint8Array) return false;
  const standIn = value as Record<string, unknown>;
  if (typeof standIn[BINARY_KEY] !== 'string') return false;
  for (const key in standIn) if (key !== BINARY_KEY) return false;
  return true;
}
