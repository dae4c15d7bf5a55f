// The public API of 'nestjs-channels'. Everything else under lib/ is internal: tests and the
// project's own tools import it by its path, so that nothing here is a promise by accident.
// api/nestjs-channels.api.md records this surface; `npm run api:update` refreshes it.
export { ChannelsModule } from './channels.module.js';
export { CHANNELS_OPTIONS } from './channels.module-definition.js';
export { DEFAULT_VALIDATION, type ChannelsModuleOptions } from './channels.options.js';
export type { ChannelsAuthOptions } from './options/auth.options.js';
export type { FlatChannelsModuleOptions } from './options/flat.options.js';
export type { ChannelsHeartbeatOptions } from './options/heartbeat.options.js';
export type { ChannelsLimitsOptions } from './options/limits.options.js';
export type { ChannelsRateLimitsOptions } from './options/rate-limits.options.js';
export type { ChannelsShutdownOptions } from './options/shutdown.options.js';
export type { ChannelsCorsOptions, ChannelsSseOptions } from './options/sse.options.js';
export type { ChannelsStoresOptions } from './options/stores.options.js';
export { CHANNELS_CONTEXT_TYPE } from './channels.constants.js';
export { ChannelsService, type DisconnectTarget } from './channels.service.js';
export type { PublishOptions } from './core/channel.hub.js';
export { ChannelPattern } from './core/channel-pattern.js';
export { isChannelName } from './protocol/channel-name.rule.js';

export { ChannelGateway } from './decorators/channel-gateway.decorator.js';
export {
  OnMessage,
  type OnMessageOptions,
  type ReplyLike,
  type TypedMessageDecorator,
} from './decorators/on-message.decorator.js';
export { OnJoin, type OnJoinOptions } from './decorators/on-join.decorator.js';
export {
  ChannelParam,
  ConnectedClient,
  JoinedChannel,
  MessageBody,
} from './decorators/param.decorators.js';

export { Connection, type EncodedPush } from './connection/connection.js';
export type { Handshake, HandshakeClient } from './connection/handshake.js';
export type { TransportName } from './protocol/transport-name.js';

export { BroadcastAdapter } from './adapters/broadcast.adapter.js';
export { InMemoryBroadcastAdapter } from './adapters/in-memory.broadcast-adapter.js';
export { ClusterBroadcastAdapter } from './adapters/cluster.broadcast-adapter.js';
export { RedisBroadcastAdapter } from './adapters/redis.broadcast-adapter.js';
export type * from './adapters/control.message.js';
export { RedisHistoryStore, type RedisHistoryOptions } from './history/redis.history-store.js';
export { RedisConnection } from './redis/redis.connection.js';
export type { ChannelsRedisOptions } from './redis/redis.options.js';
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
export {
  ChannelsException,
  type ChannelsExceptionOptions,
} from './exceptions/channels.exception.js';
export { PayloadValidationPipe } from './validation/payload-validation.pipe.js';
export {
  CloseCode,
  ErrorCode,
  PROTOCOL_VERSION,
  type CommandFrame,
  type ErrorBody,
  type PushFrame,
  type StreamPosition,
  type SubscribeReply,
  type ValidationDetail,
  type WelcomeData,
} from './protocol/frames.js';
export { DEFAULT_FRAME_LIMITS, type FrameLimits } from './protocol/frame.limits.js';

export { RateLimit } from './rate-limit/decorators/rate-limit.decorator.js';
export {
  RateLimitStore,
  type LimiterConfig,
  type RateLimiter,
} from './rate-limit/rate-limit.store.js';
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

export {
  defineChannel,
  isChannelDefinition,
  type ChannelDefinition,
  type ChannelDocs,
  type ChannelRef,
  type PatternName,
  type PatternParams,
  type PushMap,
} from './contract/channel.definition.js';
export {
  defineCommand,
  isCommandDefinition,
  type CommandDefinition,
  type CommandSpec,
  type NoPayload,
} from './contract/command.definition.js';
export {
  shape,
  type Constructor,
  type JsonSchema,
  type SchemaSource,
  type Shape,
  type TypeOfSource,
} from './contract/schema.source.js';
export type {
  ApiOf,
  ChannelName,
  ChannelPushes,
  ChannelsApi,
  CommandName,
  CommandPayload,
  CommandReply,
  LooseApi,
  TypedPush,
  TypedPushHandler,
} from './contract/api.types.js';

export { ChannelsAsyncApiModule } from './asyncapi/asyncapi.module.js';
export { createAsyncApiDocument } from './asyncapi/asyncapi.factory.js';
export type {
  AsyncApiDocument,
  AsyncApiInfo,
  AsyncApiOptions,
} from './asyncapi/asyncapi.options.js';
export { type ChannelsRequest } from './auth/request.view.js';
export { HandshakeResponse } from './auth/handshake.response.js';
export { ChannelsHandshake } from './core/pipeline.factory.js';
export { type TrustProxy, type TrustFunction } from './auth/trust-proxy.js';
export { DEFAULT_HANDSHAKE_ADMISSION } from './auth/handshake.shedder.js';
export { PresenceStore, type PresenceChangeListener } from './presence/presence.store.js';
export { InMemoryPresenceStore } from './presence/in-memory.presence-store.js';
export { RedisPresenceStore } from './presence/redis.presence-store.js';
export type { RedisPresenceStoreOptions } from './presence/redis-presence.options.js';
export type { PresenceModuleOptions } from './presence/presence.module-options.js';
export {
  PresenceEvent,
  type PresenceChange,
  type PresenceEventData,
  type PresenceMember,
  type PresenceOptions,
  type PresencePushFrame,
  type PresenceReply,
} from './presence/presence.types.js';
// Lifecycle events (metrics and health are the `nestjs-channels/metrics` and `/health` entries).
export { ChannelsEvents } from './events/channels.events.js';
export type * from './events/channels-event.types.js';
