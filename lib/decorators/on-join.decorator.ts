import { applyDecorators, SetMetadata } from '@nestjs/common';
import { JOIN_METADATA, PRESENCE_METADATA } from '../channels.constants.js';
import type { PresenceOptions } from '../presence/presence.types.js';

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
}

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
export function OnJoin<TPrincipal = unknown>(
  pattern: string,
  options: OnJoinOptions<TPrincipal> = {},
): MethodDecorator {
  const { presence } = options;
  if (!presence) return SetMetadata(JOIN_METADATA, pattern);
  return applyDecorators(
    SetMetadata(JOIN_METADATA, pattern),
    SetMetadata(PRESENCE_METADATA, presence === true ? {} : presence),
  );
}
