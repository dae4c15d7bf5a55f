// The client SDK's public surface (`nestjs-channels/client`): what an app needs to connect,
// subscribe, request and type its API. The reconnect policy, backoff arithmetic and the SSE
// parser are internal (their tests import them from their own files).
export {
  ChannelsClient,
  type ChannelsClientEvents,
  type RequestArgs,
  type RequestOptions,
} from './channels.client.js';
// The typed API of a contract (every type of the file is public).
export type * from '../contract/api.types.js';
// The definitions' types, which a contract's emitted declarations name (`ApiOf<typeof chat>`):
// a front end with the client package alone type-checks them.
export type { ChannelDefinition, PushMap } from '../contract/channel.definition.js';
export type { CommandDefinition, NoPayload } from '../contract/command.definition.js';
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
  PresenceDiff,
  PresenceEventData,
  PresenceMember,
  PresencePushFrame,
  PresenceReply,
} from '../protocol/presence.types.js';
export type { TransportName } from '../protocol/transport-name.js';
export type {
  PushHandler,
  SubscribedInfo,
  SubscribeOptions,
  Subscription,
} from './subscription.registry.js';
export type { BackoffOptions } from './backoff.js';
export type { GetToken } from './token.source.js';
export type { FetchInitLike, FetchLike, FetchResponseLike } from './sse.client-transport.js';
export type {
  WebSocketConstructor,
  WebSocketEventLike,
  WebSocketLike,
} from './ws.client-transport.js';
export type { ClientEncoding } from './wire.codec.js';
export { CloseCode, ErrorCode } from '../protocol/codes.js';
export type {
  PositionFrame,
  PushFrame,
  StreamPosition,
  SubscribeReply,
  ValidationDetail,
  WelcomeData,
} from '../protocol/frames.js';
// Streamed replies (`client.stream`).
export { ReplyStream, type StreamOptions } from './reply-stream.js';
export { STREAM_EVENTS, type StreamReplyInfo } from '../protocol/stream-channel.js';

export type { DeliveryPolicy, GapFrame } from '../protocol/delivery-policy.js';
