import { Module, type DynamicModule } from '@nestjs/common';
import { ChannelsModule } from '../../lib/index.js';
import { AuthController } from './auth/auth.controller.js';
import { DemoAuthGuard } from './auth/demo-auth.guard.js';
import { DemoTokenService } from './auth/demo-token.service.js';
import { InMemoryNotificationStore } from './notifications/in-memory.notification-store.js';
import { NotificationStore } from './notifications/notification.store.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { NotificationsGateway } from './notifications/notifications.gateway.js';
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
          // SAMPLE.md: one heartbeat setting for both transports.
          heartbeatMs: config.heartbeatMs,
          sseHeartbeatMs: config.heartbeatMs,
          heartbeatTimeoutMs: config.heartbeatTimeoutMs,
          allowedOrigins,
        }),
        ObservabilityModule,
      ],
      controllers: [AuthController, NotificationsController],
      providers: [
        { provide: SAMPLE_CONFIG, useValue: config },
        { provide: NotificationStore, useClass: InMemoryNotificationStore },
        DemoTokenService,
        DemoAuthGuard,
        NotificationsGateway,
      ],
    };
  }
}
