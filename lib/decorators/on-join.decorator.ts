import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  DELIVERY_METADATA,
  DELTA_METADATA,
  JOIN_METADATA,
  PRESENCE_METADATA,
} from '../gateway/gateway.constants.js';
import type { ChannelDefinition } from '../contract/channel.definition.js';
import { JOIN_CONTRACT_METADATA } from '../contract/contract.constants.js';
import { isDeliveryPolicy, type DeliveryPolicy } from '../protocol/delivery-policy.js';
import type { PresenceOptions } from '../protocol/presence.types.js';

/**
 * Options of {@link OnJoin}.
 * @example @OnJoin('room:{id}', { presence: { joinLeave: true, info: (u: User) => ({ name: u.name }) } })
 */
export interface OnJoinOptions<TPrincipal = unknown> {
  /**
   * Presence on the matching channels: `true`, or its settings (see docs/presence.md).
   * @default undefined (no presence: the `presence` command answers `BAD_REQUEST`)
   */
  presence?: boolean | PresenceOptions<TPrincipal>;
  /**
   * What a subscriber that cannot keep up gets on the matching channels: `all` (every push;
   * past the connection's buffer limit it is closed with 4008), `latest` (only the newest push
   * while it is behind) or `drop` (nothing while it is behind, then a `gap` to recover from).
   * Reported in the subscribe reply. See docs/protocol.md, "Delivery under backpressure".
   * @default 'all' (or the `delivery.channels` option's policy for the channel)
   * @example @OnJoin('ticker:{symbol}', { delivery: 'latest' })
   */
  delivery?: DeliveryPolicy;
  /**
   * Whether the matching channels allow delta pushes: a subscriber that asks
   * (`subscribe { delta: 'fossil' }`, the SDK's `delta: true`) gets, after a full push, Fossil
   * deltas from the previous push's data whenever they are smaller. For channels whose pushes
   * are large and change little (a dashboard). See docs/protocol.md, "Delta pushes".
   * @default false
   * @example @OnJoin('status', { delta: true })
   */
  delta?: boolean;
}

/**
 * Authorizes subscriptions to the channels that match `pattern`. `{name}` matches one
 * segment of `[A-Za-z0-9_\-.@#=]` (no `:` or `/`), read with `@ChannelParam('name')`.
 * Return `true` (or a Promise of `true`) to allow; anything else, or a thrown exception,
 * refuses with `FORBIDDEN` (or the exception's code). A channel no pattern matches is refused.
 * Given a `defineChannel(...)` definition instead of a pattern, its pushes go in the AsyncAPI
 * document too.
 *
 * @example
 * @OnJoin('room:{roomId}')
 * canJoin(@ConnectedClient() client: Connection<User>, @ChannelParam('roomId') roomId: string) {
 *   return client.principal?.rooms.includes(roomId) ?? false;
 * }
 *
 * @OnJoin(userChannel) // defineChannel('user:{userId}', { notification: NotificationPush })
 * canJoinOwn(@ConnectedClient() client: Connection<User>, @ChannelParam('userId') id: string) {}
 */
export function OnJoin<TPrincipal = unknown>(
  pattern: string | ChannelDefinition,
  options: OnJoinOptions<TPrincipal> = {},
): MethodDecorator {
  const { presence, delivery, delta } = options;
  if (delivery !== undefined && !isDeliveryPolicy(delivery)) {
    throw new Error(`@OnJoin delivery must be 'all', 'latest' or 'drop', not ${String(delivery)}.`);
  }
  const decorators = [
    SetMetadata(JOIN_METADATA, typeof pattern === 'string' ? pattern : pattern.pattern),
  ];
  if (typeof pattern !== 'string') decorators.push(SetMetadata(JOIN_CONTRACT_METADATA, pattern));
  if (presence) decorators.push(SetMetadata(PRESENCE_METADATA, presence === true ? {} : presence));
  if (delivery) decorators.push(SetMetadata(DELIVERY_METADATA, delivery));
  if (delta === true) decorators.push(SetMetadata(DELTA_METADATA, true));
  return decorators.length === 1 ? decorators[0]! : applyDecorators(...decorators);
}
