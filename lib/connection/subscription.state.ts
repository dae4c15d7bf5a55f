import type { EncodedPush } from '../protocol/push.encoder.js';
import type { DeliveryPolicy } from '../protocol/delivery-policy.js';
import type { Connection } from './connection.js';

/**
 * One connection's subscription to one channel, as the hub's subscription table keeps it (the
 * table creates and removes it; nothing else holds a copy). Transports read it: the SSE cursor
 * is the `epoch` / `offset` of every subscription of its stream.
 * @example for (const state of connection.subscriptionStates.values()) cursor.set(state.channel, state.offset);
 */
export interface SubscriptionState {
  readonly channel: string;
  readonly connection: Connection;
  /** The epoch of the last push written (or of the subscribe's position). */
  epoch: string | undefined;
  /** The offset of the last push written (or of the subscribe's position). */
  offset: number | undefined;
  /** Pushes that arrived while the subscribe was in progress: written, in order, when it ends. */
  held: EncodedPush[] | undefined;
  /** Whether the subscribe has completed (its reply written): presence counts it from then on. */
  live: boolean;
  /** What the connection gets on this channel while it is behind (the channel's policy). */
  readonly delivery: DeliveryPolicy;
  /** The pattern the policy came from (the channel itself when none did): a metrics label. */
  readonly pattern: string;
  /** `latest`: the newest push kept back while the connection is behind, written when it catches up. */
  kept: EncodedPush | undefined;
  /** `latest` / `drop`: pushes that did not reach the connection since it fell behind. */
  skipped: number;
  /** Whether the subscriber takes delta pushes (it asked, and the channel allows them). */
  delta: boolean;
  /**
   * With `delta`: the node's number (`EncodedPush.deltaSeq`) of the last push with data written
   * to it since its subscribe, the base its next delta must be from; `undefined` until one was
   * (the next push is full).
   */
  deltaBase: number | undefined;
}

/**
 * A read-only view of a map's keys as a set: `Connection.subscriptions` over the table's
 * states, with no copy to keep in sync.
 * @example new KeySetView(new Map([['a', 1]])).has('a') // true
 */
export class KeySetView<K> implements ReadonlySet<K> {
  constructor(private readonly map: ReadonlyMap<K, unknown>) {}

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  forEach(callback: (value: K, key: K, set: ReadonlySet<K>) => void, thisArg?: unknown): void {
    for (const key of this.map.keys()) callback.call(thisArg, key, key, this);
  }

  entries(): SetIterator<[K, K]> {
    return new Set(this.map.keys()).entries();
  }

  keys(): SetIterator<K> {
    return this.map.keys() as SetIterator<K>;
  }

  values(): SetIterator<K> {
    return this.map.keys() as SetIterator<K>;
  }

  [Symbol.iterator](): SetIterator<K> {
    return this.map.keys() as SetIterator<K>;
  }
}
