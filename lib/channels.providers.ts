import type { Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Broker } from './brokers/broker.js';
import { HistoryStore } from './brokers/history.store.js';
import { InMemoryBroker } from './brokers/in-memory.broker.js';
import { InMemoryHistoryStore } from './brokers/in-memory.history-store.js';
import { CHANNELS_OPTIONS } from './channels.module-definition.js';
import type { ChannelsModuleOptions } from './channels.options.js';
import type { InstanceOrFactory } from './channels-stores.options.js';
import { InMemoryPresenceStore } from './presence/in-memory.presence-store.js';
import { PresenceStore } from './presence/presence.store.js';
import { MemoryRateLimitStore } from './rate-limit/memory.rate-limit-store.js';
import { RateLimitStore } from './rate-limit/rate-limit.store.js';
import { RedisBroker } from './redis/redis.broker.js';
import { RedisConnection } from './redis/redis.connection.js';
import { RedisHistoryStore } from './redis/redis.history-store.js';
import { RedisPresenceStore } from './redis/redis.presence-store.js';
import { RedisRateLimitStore } from './redis/redis.rate-limit-store.js';
import {
  CHANNELS_SETTINGS,
  resolveSettings,
  type ChannelsSettings,
} from './settings/channels.settings.js';

/**
 * @internal DI token of the Redis connection that `stores.redis` made (`undefined` without it):
 * the module starts it before the app listens and closes it last.
 */
export const REDIS_CONNECTION = Symbol('channels:redis-connection');

type Stores = NonNullable<ChannelsModuleOptions['stores']>;

function given<T>(value: InstanceOrFactory<T> | undefined): T | undefined {
  return typeof value === 'function' ? (value as () => T)() : value;
}

/**
 * One provider per store: the option wins, else the Redis implementation when `stores.redis`
 * is set, else the in-memory default. Each token can be replaced by the app
 * (`forRoot({ providers: [{ provide: HistoryStore, useClass }] })`) or a test
 * (`overrideProvider(HistoryStore)`).
 */
function storeProvider<T>(
  token: abstract new (...args: never[]) => T,
  pick: (stores: Stores) => InstanceOrFactory<T> | undefined,
  make: (settings: ChannelsSettings, redis: RedisConnection | undefined) => T,
): Provider {
  return {
    provide: token,
    useFactory: (
      options: ChannelsModuleOptions,
      settings: ChannelsSettings,
      redis: RedisConnection | undefined,
    ) => given(pick(options.stores ?? {})) ?? make(settings, redis),
    inject: [CHANNELS_OPTIONS, CHANNELS_SETTINGS, REDIS_CONNECTION],
  };
}

/**
 * The settings, the Redis connection and the four stores of `ChannelsModule`: the one place
 * where options become objects.
 */
export const storeProviders: Provider[] = [
  {
    provide: CHANNELS_SETTINGS,
    useFactory: (options: ChannelsModuleOptions) => resolveSettings(options),
    inject: [CHANNELS_OPTIONS],
  },
  {
    provide: REDIS_CONNECTION,
    useFactory: (options: ChannelsModuleOptions) =>
      options.stores?.redis ? RedisConnection.create(options.stores.redis) : undefined,
    inject: [CHANNELS_OPTIONS],
  },
  storeProvider(
    HistoryStore,
    (stores) => stores.history,
    (settings, redis) =>
      redis
        ? new RedisHistoryStore(redis, settings.history)
        : new InMemoryHistoryStore(settings.history),
  ),
  {
    provide: Broker,
    useFactory: (
      options: ChannelsModuleOptions,
      history: HistoryStore,
      redis: RedisConnection | undefined,
    ) => {
      const broker = options.stores?.broker;
      if (typeof broker === 'function') return broker(history);
      return broker ?? defaultBroker(history, redis);
    },
    inject: [CHANNELS_OPTIONS, HistoryStore, REDIS_CONNECTION],
  },
  storeProvider(
    PresenceStore,
    (stores) => stores.presence,
    (settings, redis) => redisPresenceStore(redis, settings) ?? new InMemoryPresenceStore(),
  ),
  storeProvider(
    RateLimitStore,
    (stores) => stores.rateLimit,
    (_settings, redis) =>
      redis
        ? new RedisRateLimitStore({ client: redis.client, keyPrefix: redis.keyPrefix })
        : new MemoryRateLimitStore(),
  ),
];

// The broker sequences through the history store: with Redis, in the same Lua script that
// publishes, so the store must be the Redis one on the same connection.
function defaultBroker(history: HistoryStore, redis: RedisConnection | undefined): Broker {
  if (!redis) return new InMemoryBroker(history);
  if (!(history instanceof RedisHistoryStore) || history.redis !== redis) {
    throw new Error(
      'nestjs-channels: with stores.redis, the broker sequences pushes in Redis and needs the ' +
        'RedisHistoryStore of the same connection; a HistoryStore of another kind cannot keep a ' +
        "channel's order across nodes. Provide your own Broker too (stores.broker), or drop the " +
        'HistoryStore override.',
    );
  }
  return new RedisBroker(redis, history);
}

// Presence on Redis needs keyspace pub/sub of one server: not on a Redis Cluster.
function redisPresenceStore(
  redis: RedisConnection | undefined,
  settings: ChannelsSettings,
): RedisPresenceStore | undefined {
  if (!redis || redis.client.isCluster) return undefined;
  // The store opens its own connections as duplicates of this template, which never connects;
  // unlike the module's command client, they queue commands until they are up.
  const template = (redis.client as Redis).duplicate({
    lazyConnect: true,
    enableOfflineQueue: true,
  });
  return new RedisPresenceStore({
    client: template,
    keyPrefix: `${redis.keyPrefix}:presence`,
    ttlMs: settings.presence.ttlMs,
    batchMs: settings.presence.coalesceMs,
    outageLog: redis.outages,
  });
}
