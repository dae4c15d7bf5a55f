import { createDelta } from 'fossil-delta';
import { stringifyFrame } from '../protocol/binary-value.js';
import type { PushFrame } from '../protocol/frames.js';
import { encodePush, type EncodedPush } from '../protocol/push.encoder.js';

/** The base of a channel's next delta: the previous push of the channel on this node. */
interface DeltaBase {
  readonly seq: number;
  readonly text: Uint8Array;
}

const utf8 = new TextEncoder();

/**
 * The delta bases of this node (docs/protocol.md, "Delta pushes"): for each channel with a
 * subscriber that takes deltas, the UTF-8 JSON text of the previous push's `data` on this node.
 * Kept in memory and per node: nothing about it goes through the broker. Each push of such a
 * channel gets its delta computed once, against that base, and attached to its encoded push
 * ({@link EncodedPush.delta}) only when the delta frame is smaller than the full one.
 * @example bases.attach(encoded); // encoded.delta?.push is the `delta: true` frame
 */
export class DeltaBases {
  private readonly bases = new Map<string, DeltaBase>();
  private seq = 0;

  /**
   * Computes the delta of `encoded` (a push) from the channel's base, attaches it when smaller,
   * and makes the push the channel's new base.
   */
  attach(encoded: EncodedPush): void {
    const push = encoded.frame as PushFrame;
    const text = utf8.encode(stringifyFrame(push.data ?? null));
    const base = this.bases.get(push.channel);
    const seq = ++this.seq;
    encoded.deltaSeq = seq;
    this.bases.set(push.channel, { seq, text });
    if (!base) return;
    const delta = createDelta(base.text, text);
    const frame = { ...push, data: toBuffer(delta), delta: true as const };
    const deltaPush = encodePush(frame);
    if (deltaPush.bytes.length < encoded.bytes.length) {
      encoded.delta = { baseSeq: base.seq, push: deltaPush };
    }
  }

  /** Forgets a channel's base (its last delta subscriber on this node left). */
  forget(channel: string): void {
    this.bases.delete(channel);
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
