import { Module } from '@nestjs/common';
import { ChannelsHealthModule } from '../../../lib/health/index.js';
import { ChannelsMetricsModule } from '../../../lib/metrics/index.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';

/**
 * The sample's operations endpoints: `GET /metrics` (prom-client's global registry) and
 * `GET /health` (terminus). `CHANNELS_METRICS=off` leaves the `channels_*` metrics out.
 */
@Module({
  imports: [ChannelsMetricsModule.forRoot(), ChannelsHealthModule.forRoot()],
  controllers: [MetricsController, HealthController],
})
export class ObservabilityModule {}
