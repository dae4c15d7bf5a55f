import type { Broker } from './brokers/broker.js';
import type { HistoryStore } from './brokers/history.store.js';
import type { PresenceStore } from './presence/presence.store.js';
import type { RateLimitStore } from './rate-limit/rate-limit.store.js';
import type { ChannelsRedisOptions } from './redis/redis.options.js';

/**
 * An instance, or a factory the module calls once when it starts.
 * @example const store: InstanceOrFactory<HistoryStore> = () => new InMemoryHistoryStore({ size: 500 });
 */
export type InstanceOrFactory<T> = T | (() => T);

/**
 * Where state lives and how nodes share it (the `stores` section of `ChannelsModuleOptions`):
 * Redis for everything at once, or each piece on its own. Without any, one node keeps
 * everything in memory. Each piece is also a DI token (`Broker`, `HistoryStore`,
 * `PresenceStore`, `RateLimitStore`): `ChannelsModule.forRoot({ providers: [{ provide:
 * HistoryStore, useClass: MyStore }] })`, or `overrideProvider(HistoryStore)` in a test,
 * replaces it too. An option here wins over `redis`; a provider or override wins over both.
 *
 * @example ChannelsModule.forRoot({ stores: { redis: { url: process.env.REDIS_URL } } })
 */
export interface ChannelsStoresOptions {
  /**
   * Many nodes through Redis: the broker, the history (Redis Streams), presence and the
   * rate-limit counters all use this Redis (needs the `ioredis` package).
   * @default undefined (one node, everything in memory)
   * @example stores: { redis: { url: process.env.REDIS_URL } }
   */
  redis?: ChannelsRedisOptions;
  /**
   * The broker that sequences pushes and carries them between nodes. The module starts it
   * before the app listens and closes it last on shutdown.
   * @default an `InMemoryBroker` over the history store (one node), or a `RedisBroker` with `redis`
   * A factory gets the `HistoryStore` provider (built from `stores.history` and the `history`
   * settings), for a broker that sequences through it.
   * @example stores: { broker: (history) => new MyBusBroker(bus, history) }
   */
  broker?: Broker | ((history: HistoryStore) => Broker);
  /**
   * Where channel history is kept (the `InMemoryBroker` sequences through it).
   * @default an `InMemoryHistoryStore` with the `history` settings, or a `RedisHistoryStore` with `redis`
   * @example stores: { history: () => new InMemoryHistoryStore({ size: 500 }) }
   */
  history?: InstanceOrFactory<HistoryStore>;
  /**
   * Where presence members are kept.
   * @default an `InMemoryPresenceStore`, or a `RedisPresenceStore` with `redis` (not on a Redis Cluster)
   */
  presence?: InstanceOrFactory<PresenceStore>;
  /**
   * Where rate-limit counters live.
   * @default a `MemoryRateLimitStore` (per node), or a `RedisRateLimitStore` shared between nodes with `redis`
   */
  rateLimit?: InstanceOrFactory<RateLimitStore>;
}
