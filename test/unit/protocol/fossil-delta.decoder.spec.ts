import { createDelta } from 'fossil-delta';
import { applyFossilDelta } from '../../../lib/protocol/fossil-delta.decoder.js';

// A small deterministic generator: the same bytes on every run.
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

function bytes(length: number, next: () => number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(next() * 256));
}

// Changes about `share` of the bytes, inserts and removes a few runs.
function edit(source: Uint8Array, share: number, next: () => number): Uint8Array {
  const out = Array.from(source, (b) => (next() < share ? Math.floor(next() * 256) : b));
  for (let i = 0; i < 3; i++) {
    const at = Math.floor(next() * out.length);
    if (next() < 0.5) out.splice(at, Math.floor(next() * 40));
    else out.splice(at, 0, ...bytes(Math.floor(next() * 40), next));
  }
  return Uint8Array.from(out);
}

describe('applyFossilDelta (the SDK decoder) reads what fossil-delta writes', () => {
  it.each([
    ['empty to empty', 0, 0, 0],
    ['a small base (one literal insert)', 8, 0.5, 1],
    ['5 kB changing 5%', 5_000, 0.05, 2],
    ['5 kB changing everything', 5_000, 1, 3],
    ['200 kB changing 1%', 200_000, 0.01, 4],
  ])('%s', (_name, size, share, seed) => {
    const next = random(seed);
    const source = bytes(size, next);
    const target = edit(source, share, next);
    const delta = createDelta(source, target);
    expect(Buffer.from(applyFossilDelta(source, delta))).toEqual(Buffer.from(target));
  });

  it('100 edits in a row, each from the previous target', () => {
    const next = random(7);
    let source = bytes(5_000, next);
    for (let i = 0; i < 100; i++) {
      const target = edit(source, 0.05, next);
      expect(Buffer.from(applyFossilDelta(source, createDelta(source, target)))).toEqual(
        Buffer.from(target),
      );
      source = target;
    }
  });

  describe('a delta that does not fit throws, never reads past its input', () => {
    const next = random(11);
    const source = bytes(5_000, next);
    const target = edit(source, 0.05, next);
    const delta = createDelta(source, target);

    it('applied to another base: the checksum fails, or a copy passes the base', () => {
      const other = bytes(5_000, next);
      expect(() => applyFossilDelta(other, delta)).toThrow(/checksum/);
      expect(() => applyFossilDelta(source.subarray(0, 100), delta)).toThrow(/end of the base/);
    });

    it('cut short, or without its checksum', () => {
      expect(() => applyFossilDelta(source, delta.subarray(0, delta.length / 2))).toThrow();
      expect(() => applyFossilDelta(source, delta.subarray(0, delta.length - 1))).toThrow();
      expect(() => applyFossilDelta(source, new Uint8Array())).toThrow(/number/);
    });

    it('a size it does not fill, an unknown operator, an insert past the end', () => {
      const text = (s: string) => new TextEncoder().encode(s);
      expect(() => applyFossilDelta(source, text('5\n3:abc0;'))).toThrow(/fill the target/);
      expect(() => applyFossilDelta(source, text('3\n3!abc'))).toThrow(/Unknown/);
      expect(() => applyFossilDelta(source, text('Z\nZ:abc'))).toThrow(/end of the delta/);
      expect(() => applyFossilDelta(source, text('3'))).toThrow(/ends early/);
    });
  });
});
