// `nestjs-channels/tracing`: kept out of the main entry point, so that an app without
// @opentelemetry/api (an optional peer dependency) never loads it.
export { ChannelsTracingModule } from './channels-tracing.module.js';
export { ChannelsTracing } from './channels.tracing.js';
export {
  CHANNELS_TRACING_OPTIONS,
  type ChannelsTracingOptions,
} from './channels-tracing.options.js';
export { fromCarrier, toCarrier } from './trace-parent.js';
