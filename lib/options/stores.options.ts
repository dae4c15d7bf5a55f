import type { BroadcastAdapter } from '../adapters/broadcast.adapter.js';
import type { HistoryStore } from '../history/history.store.js';
import type { PresenceModuleOptions } from '../presence/presence.module-options.js';
import type { ChannelsRedisOptions } from '../redis/redis.options.js';

/**
 * Where state lives and how nodes share it (the `stores` section of
 * {@link ChannelsModuleOptions}): Redis for everything at once, or each piece on its own.
 * Without any, one node keeps everything in memory.
 *
 * @example ChannelsModule.forRoot({ stores: { redis: { url: process.env.REDIS_URL }, history: { size: 500 } } })
 */
export interface ChannelsStoresOptions {
  /**
   * Many nodes through Redis: the broadcast adapter, the history (Redis Streams) and the
   * rate-limit store all use this Redis (needs the `ioredis` package).
   * @default undefined (one node, everything in memory)
   * @example stores: { redis: { url: process.env.REDIS_URL } }
   */
  redis?: ChannelsRedisOptions;
  /**
   * The broadcast adapter that carries pushes between nodes: an instance, or a factory called
   * once when the module starts. The module starts it before the app listens and closes it
   * last on shutdown. Overrides the adapter of `redis`.
   * @default an `InMemoryBroadcastAdapter` (one node), or a `RedisBroadcastAdapter` with `redis`
   * @example stores: { adapter: () => new MyBrokerAdapter() }
   */
  adapter?: BroadcastAdapter | (() => BroadcastAdapter);
  /**
   * Where channel history is kept and sequenced: an instance, or a factory. Overrides the
   * store of `redis`.
   * @default an `InMemoryHistoryStore` with the `history` settings, or a `RedisHistoryStore`
   *   with `redis`
   * @example stores: { historyStore: () => new InMemoryHistoryStore({ size: 500 }) }
   */
  historyStore?: HistoryStore | (() => HistoryStore);
  /**
   * History kept for every channel, for recovery after a reconnect (the default stores'
   * settings; ignored when `historyStore` is given).
   * @default { size: 100, ttlMs: 300000 }
   */
  history?: { size?: number; ttlMs?: number };
  /**
   * Presence settings: the store and how changes are coalesced. Which channels have presence
   * is declared on their `@OnJoin` (see docs/presence.md).
   * @default { store: new InMemoryPresenceStore(), coalesceMs: 50 }
   */
  presence?: PresenceModuleOptions;
}
