import { mayHoldBinary, reviveBinary, stringifyFrame } from '../protocol/binary-value.js';
import { applyFossilDelta } from '../protocol/fossil-delta.decoder.js';
import type { PushFrame } from '../protocol/frames.js';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns the delta pushes of one connection back into full pushes (docs/protocol.md, "Delta
 * pushes"). The base of a channel's next delta is the JSON text of the `data` of the last push
 * received on it, full or rebuilt, in the order the connection brought them; a new connection
 * starts with none (the server's first push after a subscribe is full).
 * @example const full = reader.read(push); if (!full) resubscribe(push.channel);
 */
export class DeltaReader {
  private readonly bases = new Map<string, Uint8Array>();

  /**
   * The full push: `push` itself when it is not a delta (it becomes the channel's base), or
   * the delta applied to the base; `undefined` when the delta cannot be applied (no base, or
   * it does not fit it: the channel must be recovered).
   */
  read<T>(push: PushFrame<T>): PushFrame<T> | undefined {
    if (push.delta !== true) {
      this.bases.set(push.channel, utf8Encoder.encode(stringifyFrame(push.data ?? null)));
      return push;
    }
    const base = this.bases.get(push.channel);
    this.bases.delete(push.channel);
    const delta = push.data as unknown;
    if (!base || !(delta instanceof Uint8Array)) return undefined;
    try {
      const bytes = applyFossilDelta(base, delta);
      const text = utf8Decoder.decode(bytes);
      const value: unknown = JSON.parse(text);
      this.bases.set(push.channel, bytes);
      const full: PushFrame<T> = {
        ...push,
        data: (mayHoldBinary(text) ? reviveBinary(value) : value) as T,
      };
      delete full.delta;
      return full;
    } catch {
      return undefined;
    }
  }

  /** Forgets every base (the connection is gone). */
  clear(): void {
    this.bases.clear();
  }
}
