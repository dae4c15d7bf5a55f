import { decodeCursor, encodeCursor } from '../../../lib/transports/sse-cursor.js';

const b64 = (text: string) => Buffer.from(text).toString('base64url');

describe('SSE cursor', () => {
  it('round-trips every channel position', () => {
    const positions = new Map([
      ['user:42', { epoch: 'k3J9', offset: 18 }],
      ['room:lobby', { epoch: 'x-Y_', offset: 0 }],
      ['__proto__', { epoch: 'p', offset: 1 }],
    ]);
    const cursor = encodeCursor(positions);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(positions);
  });

  it('encodes no channel as the empty object', () => {
    expect(encodeCursor(new Map())).toBe(b64('{}'));
    expect(decodeCursor(b64('{}'))).toEqual(new Map());
  });

  it.each([
    ['not base64url', 'abc+/='],
    ['not JSON', b64('nope')],
    ['an array', b64('[]')],
    ['null', b64('null')],
    ['an invalid channel', b64('{"bad name":["e",1]}')],
    ['an entry that is not a pair', b64('{"a":["e"]}')],
    ['a numeric epoch', b64('{"a":[1,1]}')],
    ['a negative offset', b64('{"a":["e",-1]}')],
    ['a fractional offset', b64('{"a":["e",1.5]}')],
    ['an over-long cursor', 'A'.repeat(70_000)],
  ])('refuses %s with BAD_REQUEST', (_name, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});
