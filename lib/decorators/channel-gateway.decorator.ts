import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import { GATEWAY_METADATA } from '../channels.constants.js';

/**
 * Marks a provider as a channel gateway: its `@OnMessage` and `@OnJoin` methods are found at
 * bootstrap. Guards on the class (`@UseGuards`) run at the handshake, before a connection
 * exists, and again for every join and message.
 *
 * @example
 * @ChannelGateway()
 * @UseGuards(JwtGuard)
 * export class ChatGateway {}
 */
export function ChannelGateway(): ClassDecorator {
  return applyDecorators(Injectable(), SetMetadata(GATEWAY_METADATA, true));
}
