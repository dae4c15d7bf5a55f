export { ChannelsModule } from './channels.module.js';
export { CHANNELS_OPTIONS } from './channels.module-definition.js';
export {
  DEFAULT_VALIDATION,
  RESOLVED_OPTIONS,
  type ChannelsModuleOptions,
  type ResolvedChannelsOptions,
} from './channels.options.js';
export type { ChannelsCorsOptions } from './channels.options.js';
export { CHANNELS_CONTEXT_TYPE } from './channels.constants.js';
export { ChannelsService, type DisconnectTarget } from './channels.service.js';
export type { PublishOptions } from './core/channel.hub.js';
export { ChannelPattern } from './core/channel-pattern.js';
export { isChannelName } from './core/channel-name.js';

export { ChannelGateway } from './decorators/channel-gateway.decorator.js';
export { OnMessage } from './decorators/on-message.decorator.js';
export { OnJoin } from './decorators/on-join.decorator.js';
export {
  ChannelParam,
  ConnectedClient,
  JoinedChannel,
  MessageBody,
} from './decorators/param.decorators.js';

export { Connection, type EncodedPush } from './connection/connection.js';
export type { ChannelsClient, Handshake, TransportName } from './connection/handshake.js';

export { BroadcastAdapter } from './adapters/broadcast.adapter.js';
export { InMemoryBroadcastAdapter } from './adapters/in-memory.broadcast-adapter.js';
export { HistoryStore, type HistoryRead } from './history/history.store.js';
export {
  InMemoryHistoryStore,
  type InMemoryHistoryOptions,
} from './history/in-memory.history-store.js';

export {
  createTokenExtractor,
  PROTOCOL_NAME,
  type TokenExtractor,
  type TokenExtractorOptions,
} from './auth/token.extractor.js';
export { SseConnection } from './transports/sse.connection.js';
export { TransientConnection } from './transports/transient.connection.js';
export { decodeCursor, encodeCursor } from './transports/sse-cursor.js';
export {
  ChannelsException,
  HTTP_STATUS_BY_CODE,
  type ChannelsExceptionOptions,
} from './exceptions/channels.exception.js';
export { toErrorBody } from './exceptions/error-body.mapper.js';
export { PayloadValidationPipe } from './validation/payload-validation.pipe.js';
export * from './protocol/frames.js';
export { DEFAULT_FRAME_LIMITS, type FrameLimits } from './protocol/frame.limits.js';

export { RateLimit } from './rate-limit/decorators/rate-limit.decorator.js';
export { RateLimitStore, type LimiterConfig } from './rate-limit/rate-limit.store.js';
export { MemoryRateLimitStore } from './rate-limit/memory.rate-limit-store.js';
export {
  RedisRateLimitStore,
  type RedisRateLimitStoreOptions,
} from './rate-limit/redis.rate-limit-store.js';
export {
  DEFAULT_CONNECTION_RATE_LIMIT,
  DEFAULT_MESSAGE_RATE_LIMIT,
  type MessageRateLimitOptions,
  type RateLimitBudget,
} from './rate-limit/rate-limit.options.js';
