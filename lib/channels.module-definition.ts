import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ChannelsModuleOptions } from './channels.options.js';

/** Builds `ChannelsModule.forRoot()` / `forRootAsync()`; the options token is `CHANNELS_OPTIONS`. */
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
