import { Module, type DynamicModule } from '@nestjs/common';
import { Broker, ChannelsAsyncApiModule, ChannelsModule } from '../../lib/index.js';
import { AuthController } from './auth/auth.controller.js';
import { DemoAuthGuard } from './auth/demo-auth.guard.js';
import { DemoTokenService } from './auth/demo-token.service.js';
import { InMemoryNotificationStore } from './notifications/in-memory.notification-store.js';
import { NotificationStore } from './notifications/notification.store.js';
import { RedisNotificationStore } from './notifications/redis.notification-store.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { StatusTracker } from './notifications/status.tracker.js';
import { NotificationsGateway } from './notifications/notifications.gateway.js';
import { SAMPLE_API_INFO } from './sample.asyncapi.js';
import { SAMPLE_CONFIG, type SampleConfig } from './sample.config.js';
import { ObservabilityModule } from './observability/observability.module.js';

/** The notification sample: demo sign-in, the HTTP API, and the channels gateway. */
@Module({})
export class AppModule {
  /** The app for `config`; `allowedOrigins` is the resolved Origin allow-list. */
  static forConfig(config: SampleConfig, allowedOrigins: string[]): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ChannelsModule.forRoot({
          path: '/channels',
          auth: { handshakeGuards: [DemoAuthGuard], allowedOrigins },
          // SAMPLE.md: one heartbeat setting for both transports.
          heartbeat: { intervalMs: config.heartbeatMs, timeoutMs: config.heartbeatTimeoutMs },
          sse: { heartbeatMs: config.heartbeatMs },
          stores: {
            // SAMPLE.md: with REDIS_URL, channels, history, presence and rate limits live in
            // Redis, so every node lists the same members.
            redis: config.redisUrl ? { url: config.redisUrl } : undefined,
          },
          presence: { ttlMs: config.presenceTtlMs },
          // SAMPLE.md: tests shrink it to reach backpressure quickly.
          limits: { maxBufferedBytes: config.maxBufferedBytes },
          // One node of several going down is a restart: its clients reconnect to the others.
          shutdown: { closeCode: config.redisUrl ? 1012 : 1001 },
        }),
        ChannelsAsyncApiModule.forRoot({ path: '/asyncapi.json', info: SAMPLE_API_INFO }),
        ObservabilityModule,
      ],
      controllers: [AuthController, NotificationsController],
      providers: [
        { provide: SAMPLE_CONFIG, useValue: config },
        config.redisUrl
          ? {
              provide: NotificationStore,
              // On the channels module's Redis connection: one outage, one pair of log lines.
              useFactory: (broker: Broker) => RedisNotificationStore.of(broker),
              inject: [Broker],
            }
          : { provide: NotificationStore, useClass: InMemoryNotificationStore },
        DemoTokenService,
        DemoAuthGuard,
        NotificationsGateway,
        StatusTracker,
      ],
    };
  }
}
