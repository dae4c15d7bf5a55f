import { constants, inflateRawSync } from 'node:zlib';
import { encodePush } from '../../../lib/protocol/push.encoder.js';
import { encodeTextFrame, framePayload } from '../../../lib/protocol/ws-frame.encoder.js';
import { maybeDeflate, plainPayload } from '../../../lib/transports/ws.deflate.js';

describe('permessage-deflate frames', () => {
  const params = { threshold: 100, level: 6, windowBits: 15 };
  const push = encodePush({
    channel: 'c',
    event: 'e',
    data: 'x'.repeat(2_000),
    offset: 1,
    epoch: 'k',
  });

  it('compresses a push once per window and shares the frame', () => {
    const frame = maybeDeflate(push.wsFrame!, params, push);
    expect(maybeDeflate(push.wsFrame!, params, push)).toBe(frame);
    expect(maybeDeflate(push.wsFrame!, { ...params, windowBits: 10 }, push)).not.toBe(frame);
    expect(frame[0]).toBe(0xc1); // FIN + RSV1 + text
    expect(frame.length).toBeLessThan(push.wsFrame!.length / 10);
    const inflated = inflateRawSync(
      Buffer.concat([framePayload(frame), Buffer.from([0, 0, 0xff, 0xff])]),
      { finishFlush: constants.Z_SYNC_FLUSH }, // as a receiver does: the message has no final block
    );
    expect(inflated.toString()).toBe(push.json);
    expect(plainPayload(frame).toString()).toBe(push.json);
  });

  it('leaves a frame below the threshold as it is', () => {
    const small = encodeTextFrame('{"id":1,"data":null}');
    expect(maybeDeflate(small, params)).toBe(small);
    expect(plainPayload(small).toString()).toBe('{"id":1,"data":null}');
  });
});
