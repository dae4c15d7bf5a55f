/**
 * What a connection that cannot keep up gets on a channel (docs/protocol.md, "Delivery under
 * backpressure"), reported in the subscribe reply as `delivery`:
 * - `all`: every push, in order; a connection whose outbound buffer passes its limit is closed
 *   with 4008 and recovers with `since`.
 * - `latest`: while the connection is behind, only the channel's newest push is kept for it;
 *   offsets then jump, which is not a gap on this channel.
 * - `drop`: while the connection is behind, the channel's pushes are dropped for it; when it
 *   catches up it gets a {@link GapFrame} and recovers from there.
 * @default 'all'
 * @example @OnJoin('ticker:{symbol}', { delivery: 'latest' })
 */
export type DeliveryPolicy = 'all' | 'latest' | 'drop';

/**
 * Every delivery policy, in the order the docs list them.
 * @example DELIVERY_POLICIES.includes(value) // whether `value` names a policy
 */
export const DELIVERY_POLICIES: readonly DeliveryPolicy[] = ['all', 'latest', 'drop'];

/**
 * Whether `value` names a delivery policy.
 * @example isDeliveryPolicy('latest') // true
 */
export function isDeliveryPolicy(value: unknown): value is DeliveryPolicy {
  return (DELIVERY_POLICIES as readonly unknown[]).includes(value);
}

/**
 * The push a `drop` channel gets when its connection catches up after pushes were dropped for
 * it: no `data`; `offset` / `epoch` are the last push it received on the channel, the position
 * to recover from with `subscribe { since }`.
 * @example { "channel": "feed:1", "event": "gap", "offset": 17, "epoch": "k3J9" }
 */
export interface GapFrame {
  /** The channel whose pushes were dropped. */
  channel: string;
  /** Always `gap`. */
  event: 'gap';
  /** The offset of the last push this connection received on the channel. */
  offset: number;
  /** Its epoch. */
  epoch: string;
  /** Never present: what tells a gap from a push named `gap`. */
  data?: never;
}

/**
 * Whether a frame on a channel is a {@link GapFrame} (event `gap`, no `data`).
 * @example if (isGapFrame(frame)) resubscribe(frame.channel, { offset: frame.offset, epoch: frame.epoch });
 */
export function isGapFrame(frame: { event?: string; data?: unknown }): frame is GapFrame {
  return frame.event === 'gap' && !('data' in frame);
}
