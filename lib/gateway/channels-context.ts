import type { ExecutionContext } from '@nestjs/common';
import { CHANNELS_CONTEXT_TYPE, GATEWAY_METADATA } from './gateway.constants.js';
import { ChannelsHandshake } from './pipeline.factory.js';

/**
 * Whether a guard or interceptor runs for this module: a handshake (either transport) or a
 * command or join of a `@ChannelGateway`. Nest's own `@WebSocketGateway`s (`'ws'` contexts too)
 * and HTTP routes are not. Made for app-wide enhancers that should leave the channels alone,
 * such as `@nestjs/throttler`'s `skipIf`: the module has its own rate limits
 * (`rateLimits.message`, `rateLimits.connection`), charged before the message is parsed.
 *
 * @example
 * ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: 100 }], skipIf: isChannelsContext })
 * @example
 * canActivate(context: ExecutionContext) {
 *   if (isChannelsContext(context)) return true; // the channels have their own guards
 *   return this.checkHttp(context);
 * }
 */
export function isChannelsContext(context: ExecutionContext): boolean {
  if (context.getType() !== CHANNELS_CONTEXT_TYPE) return false;
  const type = context.getClass();
  return type === ChannelsHandshake || Reflect.getMetadata(GATEWAY_METADATA, type) === true;
}
