import { Module, type DynamicModule } from '@nestjs/common';
import {
  CHANNELS_METRICS_OPTIONS,
  type ChannelsMetricsOptions,
} from './channels-metrics.options.js';
import { ChannelsMetrics } from './channels.metrics.js';

/**
 * Prometheus metrics of the channels module, with `prom-client` (an optional peer dependency:
 * only an app that imports this module needs it). Import it beside `ChannelsModule`; the
 * metrics go into prom-client's global registry unless one is given. Serving them (`GET
 * /metrics`) is the app's: see the sample's `MetricsController`.
 *
 * @example
 * import { ChannelsMetricsModule } from 'nestjs-channels/metrics';
 * @Module({ imports: [ChannelsModule.forRoot(), ChannelsMetricsModule.forRoot()] })
 * export class AppModule {}
 */
@Module({})
export class ChannelsMetricsModule {
  /** The module with `options` (all optional). */
  static forRoot(options: ChannelsMetricsOptions = {}): DynamicModule {
    return {
      module: ChannelsMetricsModule,
      providers: [{ provide: CHANNELS_METRICS_OPTIONS, useValue: options }, ChannelsMetrics],
      exports: [ChannelsMetrics],
    };
  }
}
