// `nestjs-channels/metrics`: kept out of the main entry point, so that an app without
// prom-client (an optional peer dependency) never loads it.
export { ChannelsMetricsModule } from './channels-metrics.module.js';
export { ChannelsMetrics } from './channels.metrics.js';
export {
  CHANNELS_METRICS_OPTIONS,
  metricsEnabledByEnv,
  type ChannelsMetricsOptions,
} from './channels-metrics.options.js';
export { INVALID_FRAME_LABEL, OTHER_LABEL, UNKNOWN_EVENT_LABEL } from './metric.labels.js';
