import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import { GATEWAY_METADATA } from '../gateway/gateway.constants.js';

/**
 * Marks a provider as a channel gateway: its `@OnMessage` and `@OnJoin` methods are found at
 * bootstrap. Guards on the class (`@UseGuards`) guard this gateway's joins and messages; the
 * connection itself is guarded by the `handshakeGuards` option and the global guards.
 *
 * @example
 * @ChannelGateway()
 * @UseGuards(JwtGuard)
 * export class ChatGateway {}
 */
export function ChannelGateway(): ClassDecorator {
  return applyDecorators(Injectable(), SetMetadata(GATEWAY_METADATA, true));
}
