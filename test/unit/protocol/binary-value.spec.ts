import {
  containsBinary,
  fromBase64,
  reviveBinary,
  stringifyFrame,
  toBase64,
} from '../../../lib/protocol/binary-value.js';
import { encodePush, msgpackPushFrame } from '../../../lib/protocol/push.encoder.js';
import { unpackFrame } from '../../../lib/protocol/msgpack.codec.js';
import { framePayload } from '../../../lib/protocol/ws-frame.encoder.js';

describe('binary values in JSON frames', () => {
  const bytes = Uint8Array.of(0, 1, 254, 255);

  it('writes every byte array, Buffer or Uint8Array, at any depth as { $binary }', () => {
    const frame = { data: { a: Buffer.from(bytes), list: [1, bytes], text: 'x' } };
    expect(JSON.parse(stringifyFrame(frame))).toEqual({
      data: { a: { $binary: 'AAH+/w==' }, list: [1, { $binary: 'AAH+/w==' }], text: 'x' },
    });
    expect(stringifyFrame({ a: 1, b: [null, 'x'] })).toBe(JSON.stringify({ a: 1, b: [null, 'x'] }));
  });

  it('reads { $binary } back as bytes, and leaves look-alikes alone', () => {
    const value = reviveBinary(
      JSON.parse('{"a":{"$binary":"AAH+/w=="},"b":{"$binary":"AQ==","other":1},"c":{"$binary":7}}'),
    );
    expect(Buffer.isBuffer(value.a)).toBe(true);
    expect([...value.a]).toEqual([...bytes]);
    expect(value.b).toEqual({ $binary: 'AQ==', other: 1 });
    expect(value.c).toEqual({ $binary: 7 });
    expect([...(reviveBinary({ $binary: 'AQ==' }) as unknown as Uint8Array)]).toEqual([1]);
  });

  it('round-trips base64 of every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect([...fromBase64(toBase64(all))]).toEqual([...all]);
    expect(containsBinary({ deep: [[[{ x: all }]]] })).toBe(true);
    expect(containsBinary({ deep: [[[{ x: 'no' }]]] })).toBe(false);
  });
});

describe('a push encoded once per encoding', () => {
  it('packs the MessagePack frame once, on first use, and shares it', () => {
    const encoded = encodePush({
      channel: 'c',
      event: 'e',
      data: { b: Buffer.from([1]) },
      offset: 1,
      epoch: 'x',
    });
    expect(encoded.msgpackFrame).toBeUndefined();
    const frame = msgpackPushFrame(encoded);
    expect(msgpackPushFrame(encoded)).toBe(frame);
    expect(frame[0]).toBe(0x82);
    const decoded = unpackFrame(framePayload(frame)) as { data: { b: Buffer } };
    expect([...decoded.data.b]).toEqual([1]);
    expect(JSON.parse(encoded.json).data).toEqual({ b: { $binary: 'AQ==' } });
  });
});
