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
    expect(scanFrame(text, DEFAULT_FRAME_LIMITS)).toEqual({ id: 7 });
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
