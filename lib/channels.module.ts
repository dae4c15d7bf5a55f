import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Broker } from './brokers/broker.js';
import { ConnectionAdmission } from './auth/connection.admission.js';
import { AppCorsReader } from './auth/app-cors.reader.js';
import { ClientIpResolver } from './auth/client-ip.resolver.js';
import { OriginGate } from './auth/origin.gate.js';
import { HandshakeAuthenticator } from './auth/handshake.authenticator.js';
import { HandshakeShedder } from './auth/handshake.shedder.js';
import { OverloadMonitor } from './auth/overload.monitor.js';
import type { RedisConnection } from './redis/redis.connection.js';
import {
  ChannelsConfigurableModule,
  type ChannelsModuleExtras,
} from './channels.module-definition.js';
import type { ChannelsModuleOptions } from './channels.options.js';
import { CHANNELS_SETTINGS } from './settings/channels.settings.js';
import { ChannelsService } from './channels.service.js';
import { ConnectionRegistry } from './connection/connection.registry.js';
import { HeartbeatMonitor } from './connection/heartbeat.monitor.js';
import { BrokerGate } from './hub/broker.gate.js';
import { ChannelHub } from './hub/channel.hub.js';
import { DeliveryResolver } from './hub/delivery.resolver.js';
import { ChannelsExplorer } from './gateway/channels.explorer.js';
import { ChannelsMetadataAccessor } from './gateway/channels-metadata.accessor.js';
import { CommandRouter } from './router/command.router.js';
import { ReplyStreams } from './router/reply-streams.js';
import { SsePostStreams } from './transports/sse.post-stream.js';
import { HandlerRegistry } from './gateway/handler.registry.js';
import { PipelineFactory } from './gateway/pipeline.factory.js';
import { HistoryStore } from './brokers/history.store.js';
import { SseCommandForwarder } from './transports/sse.command-forwarder.js';
import { SseCommandHandler } from './transports/sse.command-handler.js';
import { SseStreamHandler } from './transports/sse.stream-handler.js';
import { SseTransport } from './transports/sse.transport.js';
import { ssePostProviders } from './transports/sse-post.providers.js';
import { ChannelsEndpoint } from './transports/channels.endpoint.js';
import { WsTransport } from './transports/ws.transport.js';
import { ConnectionExpiry } from './connection/connection.expiry.js';
import { ConnectionQuota } from './connection/connection.quota.js';
import { HandshakeRateLimiter } from './rate-limit/handshake-rate.limiter.js';
import { MessageRateLimiter } from './rate-limit/message-rate.limiter.js';
import { Disconnector } from './hub/disconnector.js';
import { SubscriptionTable } from './hub/subscription.table.js';
import { BrokerDispatcher } from './channels.dispatcher.js';
import { PresenceTracker } from './presence/presence.tracker.js';
import { REDIS_CONNECTION, storeProviders } from './channels.providers.js';
import { RateLimitStore } from './rate-limit/rate-limit.store.js';
import { PresenceStore } from './presence/presence.store.js';
import { ChannelsEvents } from './connection/channels.events.js';
import { ChannelsLifecycle } from './channels.lifecycle.js';

const providers: Provider[] = [
  ...storeProviders,
  ChannelsMetadataAccessor,
  HandlerRegistry,
  PipelineFactory,
  ChannelsExplorer,
  ConnectionRegistry,
  SubscriptionTable,
  BrokerGate,
  ChannelHub,
  DeliveryResolver,
  CommandRouter,
  ReplyStreams,
  HandshakeAuthenticator,
  ClientIpResolver,
  AppCorsReader,
  OriginGate,
  HandshakeShedder,
  OverloadMonitor,
  ConnectionAdmission,
  HeartbeatMonitor,
  SseCommandForwarder,
  SseCommandHandler,
  ...ssePostProviders,
  SseStreamHandler,
  SsePostStreams,
  ChannelsEndpoint,
  SseTransport,
  WsTransport,
  ChannelsService,
  Disconnector,
  BrokerDispatcher,
  ConnectionQuota,
  ConnectionExpiry,
  HandshakeRateLimiter,
  MessageRateLimiter,
  PresenceTracker,
  ChannelsEvents,
  ChannelsLifecycle,
];

/**
 * Real-time channels for a Nest app. Import it once (it is global by default) and write
 * `@ChannelGateway` classes; inject {@link ChannelsService} to publish.
 *
 * @example
 * @Module({
 *   imports: [ChannelsModule.forRoot({ path: '/channels' })],
 *   providers: [ChatGateway],
 * })
 * export class AppModule {}
 */
@Module({
  imports: [DiscoveryModule],
  providers,
  exports: [
    ChannelsService,
    Broker,
    HistoryStore,
    PresenceStore,
    RateLimitStore,
    CHANNELS_SETTINGS,
    ChannelsEvents,
    ChannelsLifecycle,
    ChannelsEndpoint,
  ],
})
export class ChannelsModule
  extends ChannelsConfigurableModule
  implements OnModuleInit, OnApplicationShutdown
{
  constructor(
    @Inject(Broker) private readonly broker: Broker,
    @Inject(REDIS_CONNECTION) private readonly redis: RedisConnection | undefined,
  ) {
    super();
  }

  /**
   * Configures the module. Every option is optional: `forRoot()` alone runs on the in-memory
   * defaults. `isGlobal` (default `true`) makes `ChannelsService` injectable everywhere;
   * `providers` replace the broker or a store by DI token.
   * @example ChannelsModule.forRoot({ auth: { handshakeGuards: [AuthGuard('jwt')] } })
   */
  static override forRoot(
    options: ChannelsModuleOptions & ChannelsModuleExtras = {},
  ): DynamicModule {
    return super.forRoot(options);
  }

  // Before the app listens (app.init() runs it): no client may subscribe through a broker
  // that has not connected yet. The broker starts the history store it sequences through.
  async onModuleInit(): Promise<void> {
    // The redis option's connection too: the rate-limit store may be its only other user.
    await Promise.all([this.broker.start(), this.redis?.start()]);
  }

  // After every transport drained its connections (beforeApplicationShutdown).
  async onApplicationShutdown(): Promise<void> {
    await this.broker.close();
    await this.redis?.close();
  }
}
