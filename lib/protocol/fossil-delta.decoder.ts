/**
 * Applies Fossil deltas (https://fossil-scm.org/home/doc/tip/www/delta_format.wiki), the
 * format of `delta: true` pushes (docs/protocol.md, "Delta pushes"). The server makes them with
 * the `fossil-delta` package; this decoder is the SDK's own, so the client needs no package for
 * it. Browser-safe. Every bound is checked: a bad delta throws, it never reads or writes past
 * its input.
 */

/** The delta alphabet: digit values of `0-9A-Z_a-z~`, -1 for any other byte. */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < DIGITS.length; i++) VALUE[DIGITS.charCodeAt(i)] = i;

/**
 * The target of `delta` applied to `source`, verified against the delta's size and checksum.
 * @throws Error when the delta is malformed, does not fit `source`, or its checksum fails
 * @example applyFossilDelta(previousBytes, deltaBytes) // the new bytes
 */
export function applyFossilDelta(source: Uint8Array, delta: Uint8Array): Uint8Array {
  let pos = 0;
  const readInt = (): number => {
    let value = 0;
    let digits = 0;
    while (pos < delta.length) {
      const digit = VALUE[delta[pos]! & 0x7f]!;
      if (digit < 0 || delta[pos]! > 0x7f) break;
      value = value * 64 + digit;
      pos++;
      digits++;
    }
    if (digits === 0 || value > 0xffffffff) throw new Error('Bad number in the delta.');
    return value;
  };
  const readChar = (): number => {
    if (pos >= delta.length) throw new Error('The delta ends early.');
    return delta[pos++]!;
  };
  const size = readInt();
  if (readChar() !== 0x0a) throw new Error("The delta's size is not followed by a newline.");
  const out = new Uint8Array(size);
  let written = 0;
  while (pos < delta.length) {
    const count = readInt();
    const op = readChar();
    if (op === 0x40 /* @ copy */) {
      const offset = readInt();
      if (pos < delta.length && readChar() !== 0x2c) throw new Error('A copy is not ended by ",".');
      if (written + count > size) throw new Error('A copy passes the target size.');
      if (offset + count > source.length) throw new Error('A copy passes the end of the base.');
      out.set(source.subarray(offset, offset + count), written);
      written += count;
    } else if (op === 0x3a /* : insert */) {
      if (written + count > size) throw new Error('An insert passes the target size.');
      if (pos + count > delta.length) throw new Error('An insert passes the end of the delta.');
      out.set(delta.subarray(pos, pos + count), written);
      written += count;
      pos += count;
    } else if (op === 0x3b /* ; checksum */) {
      if (written !== size) throw new Error('The delta does not fill the target size.');
      if (count !== checksum(out)) throw new Error('The delta checksum does not match.');
      return out;
    } else throw new Error('Unknown delta operator.');
  }
  throw new Error('The delta has no checksum.');
}

// Fossil's checksum: the sum of the bytes read as big-endian 32-bit words (the tail padded).
function checksum(bytes: Uint8Array): number {
  let sum = 0;
  const whole = bytes.length - (bytes.length % 4);
  for (let i = 0; i < whole; i += 4) {
    sum =
      (sum + ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!)) |
      0;
  }
  let tail = 0;
  for (let i = whole, shift = 24; i < bytes.length; i++, shift -= 8) tail |= bytes[i]! << shift;
  return ((sum + tail) | 0) >>> 0;
}
