import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ChannelsModuleOptions } from './channels.options.js';

const definition = new ConfigurableModuleBuilder<ChannelsModuleOptions>({ moduleName: 'Channels' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (module, extras) => ({ ...module, global: extras.isGlobal }))
  .build();

/**
 * The base class that gives `ChannelsModule` its `forRoot()` / `forRootAsync()`; both take
 * `isGlobal` too (default `true`).
 * @example ChannelsModule.forRootAsync({ inject: [ConfigService], useFactory: (c: ConfigService) => c.get('channels') })
 */
export const ChannelsConfigurableModule = definition.ConfigurableModuleClass;

/**
 * DI token of the options as given to `forRoot()` (no defaults filled in: those are under
 * `RESOLVED_OPTIONS`).
 * @example
 * constructor(@Inject(CHANNELS_OPTIONS) private readonly options: ChannelsModuleOptions) {}
 */
export const CHANNELS_OPTIONS = definition.MODULE_OPTIONS_TOKEN;
