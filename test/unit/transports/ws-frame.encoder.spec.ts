import * as ws from 'ws';
import { encodeTextFrame } from '../../../lib/protocol/ws-frame.encoder.js';

/** ws's frame parser, as used here: ws exports it, @types/ws does not declare it. */
interface FrameReceiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  write(chunk: Buffer): boolean;
}
const { Receiver } = ws as unknown as {
  Receiver: new (options: { isServer: boolean }) => FrameReceiver;
};

// The frames the fan-out writes straight to the socket must be what a WebSocket endpoint
// accepts: decoded here by ws's own receiver (the client side, which rejects masked frames).
function decode(frames: Buffer[]): Promise<string[]> {
  const receiver = new Receiver({ isServer: false });
  const messages: string[] = [];
  return new Promise((resolve, reject) => {
    receiver.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) reject(new Error('binary frame'));
      messages.push(data.toString());
      if (messages.length === frames.length) resolve(messages);
    });
    receiver.on('error', reject);
    receiver.write(Buffer.concat(frames));
  });
}

describe('encodeTextFrame', () => {
  it('frames text of every length class as one unmasked final text frame', async () => {
    // 7-bit, 16-bit and 64-bit lengths, at their edges, with multi-byte characters.
    const texts = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000].map((n) => 'a'.repeat(n));
    texts.push('é'.repeat(63), 'ü€'.repeat(30_000), JSON.stringify({ emoji: '👋🏽', n: 1 }));
    const frames = texts.map(encodeTextFrame);
    for (const frame of frames) {
      expect(frame[0]).toBe(0x81);
      expect(frame[1]! & 0x80).toBe(0);
    }
    expect(await decode(frames)).toEqual(texts);
  });
});
