export {
  ChannelsClient,
  PROBE_CHANNEL,
  type ChannelsClientEvents,
  type RequestArgs,
  type RequestOptions,
} from './channels.client.js';
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
} from '../contract/api.types.js';
export type { ChannelsClientOptions } from './client.options.js';
export {
  ChannelsError,
  type ChannelsErrorCode,
  type ChannelsErrorOptions,
} from './channels.error.js';
export type { ConnectionState, StateChange } from './connection-state.js';
export type {
  PresenceEventListener,
  PresenceSubscription,
  PresenceSyncListener,
} from './presence.listeners.js';
export type {
  PresenceEventData,
  PresenceMember,
  PresencePushFrame,
  PresenceReply,
} from '../presence/presence.types.js';
export type { TransportName } from './client-transport.js';
export type {
  PushHandler,
  SubscribedInfo,
  SubscribeOptions,
  Subscription,
} from './subscription.registry.js';
export {
  backoffCeiling,
  backoffDelay,
  DEFAULT_BACKOFF,
  longDelay,
  type BackoffOptions,
  type ResolvedBackoff,
} from './backoff.js';
export { decideOnClose, type CloseDecision } from './close-policy.js';
export { SseParser, type SseEvent } from './sse.parser.js';
export type { FetchInitLike, FetchLike, FetchResponseLike } from './sse.client-transport.js';
export type {
  WebSocketConstructor,
  WebSocketEventLike,
  WebSocketLike,
} from './ws.client-transport.js';
export type {
  ErrorCode,
  PushFrame,
  StreamPosition,
  SubscribeReply,
  ValidationDetail,
  WelcomeData,
} from '../protocol/frames.js';
