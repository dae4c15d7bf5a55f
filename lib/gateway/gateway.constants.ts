/** Metadata key: marks a class as a channel gateway (`@ChannelGateway`). */
export const GATEWAY_METADATA = 'channels:gateway';
/** Metadata key: the event a method handles (`@OnMessage`). */
export const MESSAGE_METADATA = 'channels:message';
/** Metadata key: the channel pattern a method authorizes (`@OnJoin`). */
export const JOIN_METADATA = 'channels:join';
/** Metadata key: the presence settings of a join pattern (`@OnJoin(pattern, { presence })`). */
export const PRESENCE_METADATA = 'channels:presence';
/** Metadata key: the delivery policy of a join pattern (`@OnJoin(pattern, { delivery })`). */
export const DELIVERY_METADATA = 'channels:delivery';
/** Metadata key: whether a join pattern's channels allow delta pushes (`@OnJoin(pattern, { delta })`). */
export const DELTA_METADATA = 'channels:delta';
/** Metadata key: the handler's parameters, with the default validation pipe added. */
export const HANDLER_ARGS_METADATA = 'channels:handler-args';
/** Metadata key: the per-event rate limit (`@RateLimit`). */
export const RATE_LIMIT_METADATA = 'channels:rate-limit';

/**
 * Nest's own key for handler parameters (`ROUTE_ARGS_METADATA`, the same in Nest 11 and 12):
 * writing there makes `createParamDecorator()` decorators work on gateway methods too.
 */
export const ROUTE_ARGS_METADATA = '__routeArguments__';

/**
 * Parameter types written by the parameter decorators. `0` and `3` are the values Nest's own
 * `@ConnectedSocket()` and `@MessageBody()` from `@nestjs/websockets` write, so those work too.
 */
export const ChannelsParamtype = {
  CLIENT: 0,
  PAYLOAD: 3,
  CHANNEL_PARAM: 40,
  CHANNEL: 41,
} as const;

/**
 * The context type guards and interceptors see: `context.getType() === 'ws'` on both transports.
 * @example if (context.getType() !== CHANNELS_CONTEXT_TYPE) return true; // an HTTP call: not ours
 */
export const CHANNELS_CONTEXT_TYPE = 'ws';
