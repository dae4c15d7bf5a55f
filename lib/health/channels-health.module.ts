import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import {
  CHANNELS_HEALTH_TIMEOUT,
  ChannelsHealthIndicator,
  DEFAULT_HEALTH_TIMEOUT_MS,
} from './channels.health-indicator.js';

/**
 * Options of {@link ChannelsHealthModule}.
 * @example ChannelsHealthModule.forRoot({ brokerTimeoutMs: 500 })
 */
export interface ChannelsHealthOptions {
  /**
   * How long the broker (`Broker.healthy()`) may take to answer before the node is
   * reported down.
   * @default 1000
   */
  brokerTimeoutMs?: number;
}

/**
 * Provides {@link ChannelsHealthIndicator} (with `@nestjs/terminus`, an optional peer
 * dependency: only an app that imports this module needs it). Import it beside
 * `ChannelsModule` and use the indicator in the app's own health controller.
 *
 * @example
 * import { ChannelsHealthModule } from 'nestjs-channels/health';
 * @Module({ imports: [ChannelsModule.forRoot(), ChannelsHealthModule.forRoot()], controllers: [HealthController] })
 * export class AppModule {}
 */
@Module({})
export class ChannelsHealthModule {
  /** The module with `options` (all optional). */
  static forRoot(options: ChannelsHealthOptions = {}): DynamicModule {
    return {
      module: ChannelsHealthModule,
      imports: [TerminusModule],
      providers: [
        {
          provide: CHANNELS_HEALTH_TIMEOUT,
          useValue: options.brokerTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
        },
        ChannelsHealthIndicator,
      ],
      exports: [ChannelsHealthIndicator, TerminusModule],
    };
  }
}
