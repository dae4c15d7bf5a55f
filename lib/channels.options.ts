import type { ChannelsStoresOptions } from './channels-stores.options.js';
import type { ChannelsSettingsInput } from './settings/channels.settings.js';

/**
 * Options of {@link ChannelsModule}, in sections by concern. Every field is optional; the
 * defaults are those a public service can run with. The plain sections are resolved once
 * into `ChannelsSettings`; `stores` holds the live pieces (broker, history, presence,
 * rate-limit counters), each also a DI token.
 *
 * @example
 * ChannelsModule.forRoot({
 *   path: '/channels',
 *   auth: { handshakeGuards: [AuthGuard('jwt')], allowedOrigins: ['https://app.example.com'] },
 *   limits: { maxPayloadBytes: 16 * 1024 },
 *   heartbeat: { intervalMs: 25_000 },
 *   stores: { redis: { url: process.env.REDIS_URL } },
 * })
 */
export interface ChannelsModuleOptions extends ChannelsSettingsInput {
  /**
   * Where state lives and how nodes share it: Redis, the broker, history, presence, rate limits.
   * @default one node, everything in memory
   */
  stores?: ChannelsStoresOptions;
}
