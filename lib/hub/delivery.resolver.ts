import { Inject, Injectable } from '@nestjs/common';
import { ChannelPattern } from '../gateway/channel-pattern.js';
import { HandlerRegistry } from '../gateway/handler.registry.js';
import type { DeliveryPolicy } from '../protocol/delivery-policy.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';

/**
 * A channel's delivery policy, and the pattern it came from (undefined: the default `all`).
 * @example { policy: 'latest', pattern: 'ticker:{symbol}' }
 */
export interface ResolvedDeliveryPolicy {
  readonly policy: DeliveryPolicy;
  readonly pattern: string | undefined;
  /** Whether the channel allows delta pushes (its `@OnJoin` says `delta: true`). */
  readonly delta?: boolean;
}

/**
 * Says which delivery policy a channel has (and whether it allows deltas): the one its `@OnJoin` declares, else the first
 * `delivery.channels` pattern that matches it, else `all`.
 * @example resolver.resolve('ticker:EUR') // { policy: 'latest', pattern: 'ticker:{symbol}' }
 */
@Injectable()
export class DeliveryResolver {
  private readonly configured: ReadonlyArray<{ pattern: ChannelPattern; policy: DeliveryPolicy }>;

  constructor(
    private readonly registry: HandlerRegistry,
    @Inject(CHANNELS_SETTINGS) settings: ChannelsSettings,
  ) {
    this.configured = settings.delivery.channels.map(({ pattern, policy }) => ({
      pattern: new ChannelPattern(pattern),
      policy,
    }));
  }

  /** The policy of `channel`, and where it came from. */
  resolve(channel: string): ResolvedDeliveryPolicy {
    const route = this.registry.matchJoin(channel)?.route;
    const delta = route?.delta === true;
    if (route?.delivery) return { policy: route.delivery, pattern: route.pattern.source, delta };
    for (const { pattern, policy } of this.configured) {
      if (pattern.match(channel)) return { policy, pattern: pattern.source, delta };
    }
    return { policy: 'all', pattern: route?.pattern.source, delta };
  }
}
