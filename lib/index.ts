// The public API of 'nestjs-channels'. Everything else under lib/ is internal: tests and the
// project's own tools import it by its path, so that nothing here is a promise by accident.
// api/nestjs-channels.api.md records this surface; `npm run api:update` refreshes it.
export { ChannelsModule } from './channels.module.js';
export { CHANNELS_OPTIONS, type ChannelsModuleExtras } from './channels.module-definition.js';
export type { ChannelsModuleOptions } from './channels.options.js';
export { DEFAULT_VALIDATION } from './settings/channels.settings.js';
export type { ChannelsHistoryOptions } from './settings/history.options.js';
export type { ChannelsPresenceOptions } from './settings/presence.options.js';
export type { ChannelsDeliveryOptions } from './settings/delivery.options.js';
export {
  DELIVERY_POLICIES,
  isGapFrame,
  type DeliveryPolicy,
  type GapFrame,
} from './protocol/delivery-policy.js';
export type { ChannelsAuthOptions } from './settings/auth.options.js';
export type { ChannelsHeartbeatOptions } from './settings/heartbeat.options.js';
export type { ChannelsLimitsOptions } from './settings/limits.options.js';
export type { ChannelsRateLimitsOptions } from './settings/rate-limits.options.js';
export type { ChannelsShutdownOptions } from './settings/shutdown.options.js';
export type { ChannelsCompressionOptions } from './settings/compression.options.js';
export {
  DEFAULT_ADMISSION,
  type ChannelsAdmissionOptions,
  type ResolvedAdmission,
} from './settings/admission.options.js';
export type { ChannelsCorsOptions, ChannelsSseOptions } from './settings/sse.options.js';
export type { ChannelsStoresOptions } from './channels-stores.options.js';
export { CHANNELS_CONTEXT_TYPE } from './gateway/gateway.constants.js';
export { isChannelsContext } from './gateway/channels-context.js';
export { ChannelsService, type DisconnectTarget } from './channels.service.js';
export { ChannelsEndpoint, type ChannelsEndpointPaths } from './transports/channels.endpoint.js';
export type { PublishOptions } from './hub/channel.hub.js';
export type { PushTracing, TracedPublish } from './hub/push.tracing.js';
export { ChannelPattern } from './gateway/channel-pattern.js';
export { isChannelName } from './protocol/channel-name.rule.js';
export { BUILT_IN_EVENTS, PROTOCOL_NAME } from './protocol/built-in-events.js';

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

export { Connection } from './connection/connection.js';
export type { EncodedPush } from './protocol/push.encoder.js';
export type { Handshake, HandshakeClient } from './connection/handshake.js';
export type { TransportName } from './protocol/transport-name.js';

export { Broker } from './brokers/broker.js';
export { InMemoryBroker } from './brokers/in-memory.broker.js';
export { PubSubBroker } from './brokers/pub-sub.broker.js';
export { RedisBroker } from './redis/redis.broker.js';
export type * from './brokers/broker.message.js';
export { RedisHistoryStore, type RedisHistoryOptions } from './redis/redis.history-store.js';
export { RedisConnection } from './redis/redis.connection.js';
export { RedisOutageLog } from './redis/redis.outage-log.js';
export type { ChannelsRedisOptions } from './redis/redis.options.js';
export { HistoryStore, type HistoryRead } from './brokers/history.store.js';
export {
  InMemoryHistoryStore,
  type InMemoryHistoryOptions,
} from './brokers/in-memory.history-store.js';

export {
  createTokenExtractor,
  type TokenExtractor,
  type TokenExtractorOptions,
} from './protocol/token.extractor.js';
export { ChannelsException, type ChannelsExceptionOptions } from './protocol/channels.exception.js';
export { ChannelsHttpExceptionFilter } from './channels-http.filter.js';
export { PayloadValidationPipe } from './gateway/payload-validation.pipe.js';
export {
  CloseCode,
  ErrorCode,
  PROTOCOL_VERSION,
  type CommandFrame,
  type ErrorBody,
  type PositionFrame,
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
} from './redis/redis.rate-limit-store.js';
export {
  DEFAULT_CONNECTION_RATE_LIMIT,
  DEFAULT_MESSAGE_RATE_LIMIT,
  DEFAULT_FORWARDED_RATE_LIMIT,
  DEFAULT_HANDSHAKE_ADMISSION,
  type MessageRateLimitOptions,
  type RateLimitBudget,
} from './settings/rate-limit.budgets.js';

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
// The typed API of a contract (every type of the file is public).
export type * from './contract/api.types.js';

export { ChannelsAsyncApiModule } from './asyncapi/asyncapi.module.js';
export { createAsyncApiDocument } from './asyncapi/asyncapi.factory.js';
export type {
  AsyncApiDocument,
  AsyncApiInfo,
  AsyncApiOptions,
} from './asyncapi/asyncapi.options.js';
export { type ChannelsRequest } from './connection/request.view.js';
export { HandshakeResponse } from './connection/handshake.response.js';
export { ChannelsHandshake } from './gateway/pipeline.factory.js';
export { type TrustProxy, type TrustFunction } from './settings/trust-proxy.js';
export { PresenceStore, type PresenceChangeListener } from './presence/presence.store.js';
export { InMemoryPresenceStore } from './presence/in-memory.presence-store.js';
export { RedisPresenceStore } from './redis/redis.presence-store.js';
export type { RedisPresenceStoreOptions } from './redis/redis-presence.options.js';
export {
  PresenceEvent,
  type PresenceChange,
  type PresenceDiff,
  type PresenceEventData,
  type PresenceMember,
  type PresenceOptions,
  type PresencePushFrame,
  type PresenceReply,
} from './protocol/presence.types.js';
// Lifecycle events (metrics and health are the `nestjs-channels/metrics` and `/health` entries).
export { ChannelsEvents } from './connection/channels.events.js';
export type * from './connection/channels-event.types.js';
// Streamed replies (docs/protocol.md, "Streamed replies").
export type { ChannelsStreamsOptions } from './settings/streams.options.js';
export { StreamedReply, type StreamSource } from './gateway/streamed-reply.js';
export {
  STREAM_CHANNEL_PREFIX,
  STREAM_EVENTS,
  isStreamChannel,
  type StreamReplyInfo,
} from './protocol/stream-channel.js';
export type * from './connection/stream-event.types.js';
