import { Inject, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BroadcastAdapter } from './adapters/broadcast.adapter.js';
import { InMemoryBroadcastAdapter } from './adapters/in-memory.broadcast-adapter.js';
import { ConnectionAdmission } from './auth/connection.admission.js';
import { HandshakeAuthenticator } from './auth/handshake.authenticator.js';
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
import { SseTransport } from './transports/sse.transport.js';
import { WsTransport } from './transports/ws.transport.js';
import { ConnectionExpiry } from './connection/connection.expiry.js';
import { ConnectionQuota } from './connection/connection.quota.js';
import { HandshakeRateLimiter } from './rate-limit/handshake-rate.limiter.js';
import { MessageRateLimiter } from './rate-limit/message-rate.limiter.js';
import { ChannelsEvents } from './events/channels.events.js';
import { ChannelsLifecycle } from './events/channels.lifecycle.js';

const providers: Provider[] = [
  {
    provide: RESOLVED_OPTIONS,
    useFactory: (options: ChannelsModuleOptions) => resolveOptions(options),
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
  ConnectionAdmission,
  HeartbeatMonitor,
  // Before WsTransport: each wraps the HTTP server's `emit`, and they unwrap in reverse order.
  SseTransport,
  WsTransport,
  ChannelsService,
  ConnectionQuota,
  ConnectionExpiry,
  HandshakeRateLimiter,
  MessageRateLimiter,
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
    RESOLVED_OPTIONS,
    ChannelsEvents,
    ChannelsLifecycle,
  ],
})
export class ChannelsModule extends ChannelsConfigurableModule implements OnApplicationShutdown {
  constructor(
    @Inject(BroadcastAdapter) private readonly adapter: BroadcastAdapter,
    @Inject(HistoryStore) private readonly history: HistoryStore,
  ) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.adapter.close(), this.history.close()]);
  }
}
