import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ChannelsModuleOptions } from './channels.options.js';

/**
 * Builds `ChannelsModule.forRoot()` / `forRootAsync()`. `CHANNELS_OPTIONS` is the DI token of
 * the options as given (no defaults filled in: those are under `RESOLVED_OPTIONS`).
 * @example
 * constructor(@Inject(CHANNELS_OPTIONS) private readonly options: ChannelsModuleOptions) {}
 */
export const {
  ConfigurableModuleClass: ChannelsConfigurableModule,
  MODULE_OPTIONS_TOKEN: CHANNELS_OPTIONS,
  OPTIONS_TYPE: CHANNELS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CHANNELS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ChannelsModuleOptions>({ moduleName: 'Channels' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
