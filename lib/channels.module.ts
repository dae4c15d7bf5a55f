import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BroadcastAdapter } from './adapters/broadcast.adapter.js';
import { InMemoryBroadcastAdapter } from './adapters/in-memory.broadcast-adapter.js';
import { ConnectionAdmission } from './auth/connection.admission.js';
import { ClientIpResolver } from './auth/client-ip.resolver.js';
import { HandshakeAuthenticator } from './auth/handshake.authenticator.js';
import { HandshakeShedder } from './auth/handshake.shedder.js';
import { CHANNELS_OPTIONS, ChannelsConfigurableModule } from './channels.module-definition.js';
import {
  RESOLVED_OPTIONS,
  resolveOptions,
  type ChannelsModuleOptions,
  type ResolvedChannelsOptions,
} from './channels.options.js';
import { ChannelsService } from './channels.service.js';
import { ConnectionRegistry } from './connection/connection.registry.js';
import { HeartbeatMonitor } from './connection/heartbeat.monitor.js';
import { ChannelHub } from './core/channel.hub.js';
import { ChannelsExplorer } from './core/channels.explorer.js';
import { ChannelsMetadataAccessor } from './core/channels-metadata.accessor.js';
import { CommandRouter } from './core/command.router.js';
import { HandlerRegistry } from './core/handler.registry.js';
import { PipelineFactory } from './core/pipeline.factory.js';
import { HistoryStore } from './history/history.store.js';
import { InMemoryHistoryStore } from './history/in-memory.history-store.js';
import { SseCommandForwarder } from './transports/sse.command-forwarder.js';
import { SseCommandHandler } from './transports/sse.command-handler.js';
import { SseStreamHandler } from './transports/sse.stream-handler.js';
import { SseTransport } from './transports/sse.transport.js';
import { WsTransport } from './transports/ws.transport.js';
import { ConnectionExpiry } from './connection/connection.expiry.js';
import { ConnectionQuota } from './connection/connection.quota.js';
import { HandshakeRateLimiter } from './rate-limit/handshake-rate.limiter.js';
import { MessageRateLimiter } from './rate-limit/message-rate.limiter.js';
import { ControlListener } from './adapters/control.listener.js';
import { applyRedisOptions } from './redis/redis.setup.js';
import { presenceProviders } from './presence/presence.providers.js';
import { PresenceStore } from './presence/presence.store.js';
import { ChannelsEvents } from './events/channels.events.js';
import { ChannelsLifecycle } from './events/channels.lifecycle.js';

const providers: Provider[] = [
  {
    provide: RESOLVED_OPTIONS,
    useFactory: (options: ChannelsModuleOptions) =>
      applyRedisOptions(resolveOptions(options), options),
    inject: [CHANNELS_OPTIONS],
  },
  {
    provide: BroadcastAdapter,
    useFactory: (options: ResolvedChannelsOptions) =>
      options.adapter ?? new InMemoryBroadcastAdapter(),
    inject: [RESOLVED_OPTIONS],
  },
  {
    provide: HistoryStore,
    useFactory: (options: ResolvedChannelsOptions) =>
      options.historyStore ?? new InMemoryHistoryStore(options.history),
    inject: [RESOLVED_OPTIONS],
  },
  ChannelsMetadataAccessor,
  HandlerRegistry,
  PipelineFactory,
  ChannelsExplorer,
  ConnectionRegistry,
  ChannelHub,
  CommandRouter,
  HandshakeAuthenticator,
  ClientIpResolver,
  HandshakeShedder,
  ConnectionAdmission,
  HeartbeatMonitor,
  // Before WsTransport: each wraps the HTTP server's `emit`, and they unwrap in reverse order.
  SseCommandForwarder,
  SseCommandHandler,
  SseStreamHandler,
  SseTransport,
  WsTransport,
  ChannelsService,
  ControlListener,
  ConnectionQuota,
  ConnectionExpiry,
  HandshakeRateLimiter,
  MessageRateLimiter,
  ...presenceProviders,
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
    BroadcastAdapter,
    HistoryStore,
    PresenceStore,
    RESOLVED_OPTIONS,
    ChannelsEvents,
    ChannelsLifecycle,
  ],
})
export class ChannelsModule
  extends ChannelsConfigurableModule
  implements OnModuleInit, OnApplicationShutdown
{
  constructor(
    @Inject(BroadcastAdapter) private readonly adapter: BroadcastAdapter,
    @Inject(HistoryStore) private readonly history: HistoryStore,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedChannelsOptions,
  ) {
    super();
  }

  /**
   * Configures the module. Every option is optional: `forRoot()` alone runs on the in-memory
   * defaults. `isGlobal` (default `true`) makes `ChannelsService` injectable everywhere.
   * @example ChannelsModule.forRoot({ auth: { handshakeGuards: [AuthGuard('jwt')] } })
   */
  static override forRoot(
    options: ChannelsModuleOptions & { isGlobal?: boolean } = {},
  ): DynamicModule {
    return super.forRoot(options);
  }

  // Before the app listens (app.init() runs it): no client may subscribe through an adapter
  // that has not connected to its broker yet.
  async onModuleInit(): Promise<void> {
    // The redis option's connection too: the rate-limit store may be its only other user.
    await Promise.all([
      this.adapter.start(),
      this.history.start(),
      this.options.redisConnection?.start(),
    ]);
  }

  // After every transport drained its connections (beforeApplicationShutdown).
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.adapter.close(), this.history.close()]);
    await this.options.redisConnection?.close();
  }
}
