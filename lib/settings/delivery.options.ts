import { isDeliveryPolicy, type DeliveryPolicy } from '../protocol/delivery-policy.js';

/**
 * Delivery policies of channels by pattern (the `delivery` section of `ChannelsModuleOptions`),
 * for channels whose policy is not declared on their `@OnJoin` (one that is wins): what a
 * subscriber that cannot keep up gets (docs/protocol.md, "Delivery under backpressure"). The
 * connection's buffer limit they share is `limits.maxBufferedBytes`.
 *
 * @example ChannelsModule.forRoot({ delivery: { channels: { 'ticker:{symbol}': 'latest', 'log:{id}': 'drop' } } })
 */
export interface ChannelsDeliveryOptions {
  /**
   * Channel patterns (the `@OnJoin` syntax: `{name}` matches one segment) and their policy;
   * the first pattern that matches a channel gives it. A channel no pattern names gets `all`.
   * @default {} (every channel `all`, unless its `@OnJoin` says otherwise)
   */
  channels?: Readonly<Record<string, DeliveryPolicy>>;
}

/**
 * The resolved `delivery` section: patterns and policies, in the order given.
 * @example resolveDelivery({ channels: { 'ticker:{s}': 'latest' } }).channels[0] // { pattern: 'ticker:{s}', policy: 'latest' }
 */
export interface ResolvedDelivery {
  /** The patterns of the `delivery.channels` option with their policy, in the order given. */
  readonly channels: ReadonlyArray<{ readonly pattern: string; readonly policy: DeliveryPolicy }>;
}

/**
 * Resolves the `delivery` section.
 * @throws Error naming the pattern whose policy is not `all`, `latest` or `drop`
 * @example resolveDelivery(undefined).channels // []
 */
export function resolveDelivery(options: ChannelsDeliveryOptions = {}): ResolvedDelivery {
  const channels = Object.entries(options.channels ?? {}).map(([pattern, policy]) => {
    if (!isDeliveryPolicy(policy)) {
      throw new Error(
        `delivery.channels["${pattern}"] must be 'all', 'latest' or 'drop', not ${String(policy)}.`,
      );
    }
    return { pattern, policy };
  });
  return { channels };
}
