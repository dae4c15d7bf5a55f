import { parseCommand } from '../../../lib/protocol/command.parser.js';
import { DEFAULT_FRAME_LIMITS } from '../../../lib/protocol/frame.limits.js';
import { scanFrame } from '../../../lib/protocol/frame.scanner.js';

describe('parseCommand: keys that reach a prototype', () => {
  it.each([
    ['{"event":"x","data":{"__proto__":{"admin":true}}}', '__proto__'],
    ['{"event":"x","data":[{"constructor":{"prototype":{"admin":true}}}]}', 'constructor'],
    ['{"event":"x","data":{"a":{"prototype":1}}}', 'prototype'],
    ['{"event":"x","data":{"__pro\\u0074o__":{"admin":true}}}', 'an escaped __proto__'],
    ['{"event":"x","data":{"\\u0063onstructor":1}}', 'an escaped constructor'],
  ])('drops them at any depth, written as they are or escaped: %s (%s)', (text) => {
    expect(scanFrame(text, DEFAULT_FRAME_LIMITS).prototypeKeys).toBe(true);
    const { data } = parseCommand(text, DEFAULT_FRAME_LIMITS);
    const seen: string[] = [];
    JSON.stringify(data, (key, value: unknown) => (seen.push(key), value));
    expect(seen.filter((k) => ['__proto__', 'constructor', 'prototype'].includes(k))).toEqual([]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('parses a text without any of them as it is, id and data kept', () => {
    const text =
      '{"id":7,"event":"echo","data":{"text":"a \\"quoted\\" line\\n and a long escaped tail ..........................................","n":[1,2,{"k":"v"}]}}';
    expect(scanFrame(text, DEFAULT_FRAME_LIMITS)).toEqual({ id: 7, event: 'echo' });
    expect(parseCommand(text, DEFAULT_FRAME_LIMITS)).toEqual(JSON.parse(text));
  });

  it('keeps the words as values: only keys are dropped', () => {
    const text = '{"event":"x","data":{"kind":"constructor","tags":["prototype","__proto__"]}}';
    expect(parseCommand(text, DEFAULT_FRAME_LIMITS).data).toEqual({
      kind: 'constructor',
      tags: ['prototype', '__proto__'],
    });
  });
});

describe('parseCommand: a 64 KB frame with one __proto__ key', () => {
  // Within every bound (512 keys, arrays of 4,096), ~60 KB: the probe's frame.
  const numbers = Array.from({ length: 3_200 }, (_, i) => (i % 7 === 0 ? `"s${i}"` : i * 3.5));
  const body = (key: string) =>
    `{"id":1,"event":"order","data":{"a":[${numbers}],"b":[${numbers}],"f":[${numbers}],"c":{"d":[{"${key}":{"admin":true},"e":1}]}}}`;
  const text = body('__proto__');

  it('is within the bounds, and parses to the frame without that key, Object.prototype untouched', () => {
    expect(text.length).toBeGreaterThan(60_000);
    expect(text.length).toBeLessThan(65_536);
    expect(scanFrame(text, DEFAULT_FRAME_LIMITS)).toEqual({
      id: 1,
      event: 'order',
      prototypeKeys: true,
    });
    const { data } = parseCommand(text, DEFAULT_FRAME_LIMITS) as {
      data: { c: { d: Array<Record<string, unknown>> } };
    };
    const clean = JSON.parse(body('other')) as {
      data: { c: { d: Array<Record<string, unknown>> } };
    };
    delete clean.data.c.d[0]!.other;
    expect(data).toEqual(clean.data);
    const holder = data.c.d[0]!;
    expect(Object.keys(holder)).toEqual(['e']);
    expect(Object.getPrototypeOf(holder)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'admin')).toBe(false);
  });

  it('takes the plain JSON.parse, as a frame without it does (no reviver: its cost is in npm run bench)', () => {
    const original = JSON.parse;
    const calls: number[] = [];
    JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
      calls.push(args.length);
      return original(...args);
    }) as typeof JSON.parse;
    try {
      parseCommand(text, DEFAULT_FRAME_LIMITS);
      parseCommand(body('other'), DEFAULT_FRAME_LIMITS);
    } finally {
      JSON.parse = original;
    }
    // One plain call per frame: a reviver (a second argument) costs ~10x the parse.
    expect(calls).toEqual([1, 1]);
  });
});
