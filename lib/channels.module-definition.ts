import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import type { ChannelsModuleOptions } from './channels.options.js';

/**
 * What `forRoot()` and `forRootAsync()` take besides the options.
 * @example ChannelsModule.forRoot({ isGlobal: true, providers: [{ provide: HistoryStore, useClass: MyStore }] })
 */
export interface ChannelsModuleExtras {
  /**
   * Makes `ChannelsService` (and the module's other exports) injectable everywhere.
   * @default true
   */
  isGlobal?: boolean;
  /**
   * Providers added to the module, after its own: one with the token of a store or of the
   * broker (`Broker`, `HistoryStore`, `PresenceStore`, `RateLimitStore`) replaces the module's,
   * and may inject what the app provides (globally, or through `forRootAsync`'s `imports`).
   * @default []
   * @example providers: [{ provide: PresenceStore, useFactory: (redis: Redis) => new RedisPresenceStore({ client: redis }), inject: [REDIS] }]
   */
  providers?: Provider[];
}

const definition = new ConfigurableModuleBuilder<ChannelsModuleOptions>({ moduleName: 'Channels' })
  .setClassMethodName('forRoot')
  .setExtras<ChannelsModuleExtras>({ isGlobal: true, providers: [] }, (module, extras) => ({
    ...module,
    global: extras.isGlobal ?? true,
    providers: [...(module.providers ?? []), ...(extras.providers ?? [])],
  }))
  .build();

/**
 * The base class that gives `ChannelsModule` its `forRoot()` / `forRootAsync()`; both take
 * the {@link ChannelsModuleExtras} too.
 * @example ChannelsModule.forRootAsync({ inject: [ConfigService], useFactory: (c: ConfigService) => c.get('channels') })
 */
export const ChannelsConfigurableModule = definition.ConfigurableModuleClass;

/**
 * DI token of the options as given to `forRoot()` (no defaults filled in: those are under
 * `CHANNELS_SETTINGS`).
 * @example
 * constructor(@Inject(CHANNELS_OPTIONS) private readonly options: ChannelsModuleOptions) {}
 */
export const CHANNELS_OPTIONS = definition.MODULE_OPTIONS_TOKEN;
