import { SetMetadata } from '@nestjs/common';
import { JOIN_METADATA } from '../channels.constants.js';

/**
 * Authorizes subscriptions to the channels that match `pattern`. `{name}` matches one
 * segment of `[A-Za-z0-9_\-.@#=]` (no `:` or `/`), read with `@ChannelParam('name')`.
 * Return `true` (or a Promise of `true`) to allow; anything else, or a thrown exception,
 * refuses with `FORBIDDEN` (or the exception's code). A channel no pattern matches is refused.
 *
 * @example
 * @OnJoin('room:{roomId}')
 * canJoin(@ConnectedClient() client: Connection<User>, @ChannelParam('roomId') roomId: string) {
 *   return client.principal?.rooms.includes(roomId) ?? false;
 * }
 */
export function OnJoin(pattern: string): MethodDecorator {
  return SetMetadata(JOIN_METADATA, pattern);
}
