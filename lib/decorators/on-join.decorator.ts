import { applyDecorators, SetMetadata } from '@nestjs/common';
import { JOIN_METADATA } from '../channels.constants.js';
import type { ChannelDefinition } from '../contract/channel.definition.js';
import { JOIN_CONTRACT_METADATA } from '../contract/contract.constants.js';

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
export function OnJoin(pattern: string | ChannelDefinition): MethodDecorator {
  if (typeof pattern === 'string') return SetMetadata(JOIN_METADATA, pattern);
  return applyDecorators(
    SetMetadata(JOIN_METADATA, pattern.pattern),
    SetMetadata(JOIN_CONTRACT_METADATA, pattern),
  );
}
