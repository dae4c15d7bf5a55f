import { Inject, Injectable } from '@nestjs/common';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';

/** The `Retry-After` hint of a refused forwarded POST: about one lookup and forward. */
const RETRY_AFTER_MS = 1_000;

/**
 * Caps the forwarded `POST`s in flight on this node (from the stream lookup to the answer):
 * `limits.maxForwardedPerPrincipal` per principal (or address), `limits.maxForwardedPerNode` in
 * all. Over a cap the POST is refused at once, before its stream is looked up or its body read.
 *
 * @example
 * const release = quota.enter('alice');
 * try { await forward(); } finally { release(); }
 */
@Injectable()
export class ForwardedQuota {
  private readonly perKey = new Map<string, number>();
  private total = 0;

  constructor(@Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings) {}

  /** Forwarded POSTs in flight on this node now. */
  get inFlight(): number {
    return this.total;
  }

  /**
   * Takes a place for one forwarded POST of `key`.
   * @returns the function that gives the place back (call it once)
   * @throws ChannelsException `RATE_LIMITED` (429) over the per-principal cap, `UNAVAILABLE`
   *   (503) over the per-node cap, both with `retryAfterMs`
   */
  enter(key: string): () => void {
    const { maxForwardedPerPrincipal, maxForwardedPerNode } = this.settings.limits;
    const held = this.perKey.get(key) ?? 0;
    if (held >= maxForwardedPerPrincipal) {
      throw new ChannelsException(
        ErrorCode.RATE_LIMITED,
        `Too many forwarded requests in flight: retry in ${RETRY_AFTER_MS} ms.`,
        { retryAfterMs: RETRY_AFTER_MS },
      );
    }
    if (this.total >= maxForwardedPerNode) {
      throw ChannelsException.unavailable(
        'This node forwards too many requests now: retry shortly.',
        RETRY_AFTER_MS,
      );
    }
    this.perKey.set(key, held + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perKey.get(key) ?? 1) - 1;
      if (left > 0) this.perKey.set(key, left);
      else this.perKey.delete(key);
    };
  }
}
