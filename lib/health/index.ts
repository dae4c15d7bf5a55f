// `nestjs-channels/health`: kept out of the main entry point, so that an app without
// @nestjs/terminus (an optional peer dependency) never loads it.
export { ChannelsHealthModule, type ChannelsHealthOptions } from './channels-health.module.js';
export {
  CHANNELS_HEALTH_TIMEOUT,
  ChannelsHealthIndicator,
  DEFAULT_HEALTH_TIMEOUT_MS,
} from './channels.health-indicator.js';
