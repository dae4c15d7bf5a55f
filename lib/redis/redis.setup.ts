import type { Redis } from 'ioredis';
import { RedisBroadcastAdapter } from '../adapters/redis.broadcast-adapter.js';
import type { ChannelsModuleOptions, ResolvedChannelsOptions } from '../channels.options.js';
import { RedisHistoryStore } from '../history/redis.history-store.js';
import { RedisPresenceStore } from '../presence/redis.presence-store.js';
import { RedisRateLimitStore } from '../rate-limit/redis.rate-limit-store.js';
import { RedisConnection } from './redis.connection.js';

/**
 * Fills in what the `redis` option stands for: a {@link RedisBroadcastAdapter}, a
 * {@link RedisHistoryStore} and a {@link RedisRateLimitStore} (with the in-memory insurance
 * limiter) on one connection, and a {@link RedisPresenceStore} with connections of its own
 * (keys under `<keyPrefix>:presence`), each unless given on its own. Redis Cluster
 * (`cluster`) gets no default presence store: give `presence.store` for it.
 * @example const resolved = await applyRedisOptions(resolveOptions(options), options);
 */
export async function applyRedisOptions(
  resolved: ResolvedChannelsOptions,
  given: ChannelsModuleOptions,
): Promise<ResolvedChannelsOptions> {
  if (!resolved.redis) return resolved;
  const redis = await RedisConnection.create(resolved.redis);
  return {
    ...resolved,
    redisConnection: redis,
    adapter: resolved.adapter ?? new RedisBroadcastAdapter(redis),
    historyStore: resolved.historyStore ?? new RedisHistoryStore(redis, resolved.history),
    rateLimitStore:
      given.rateLimits?.store ??
      given.rateLimitStore ??
      new RedisRateLimitStore({ client: redis.client, keyPrefix: redis.keyPrefix }),
    presence: {
      ...resolved.presence,
      store: resolved.presence.store ?? presenceStore(redis, resolved),
    },
  };
}

function presenceStore(
  redis: RedisConnection,
  resolved: ResolvedChannelsOptions,
): RedisPresenceStore | undefined {
  if (redis.client.isCluster) return undefined;
  // The store opens its own connections as duplicates of this template, which never connects;
  // unlike the module's command client, they queue commands until they are up.
  const template = (redis.client as Redis).duplicate({
    lazyConnect: true,
    enableOfflineQueue: true,
  });
  return new RedisPresenceStore({
    client: template,
    keyPrefix: `${redis.keyPrefix}:presence`,
    ttlMs: resolved.presence.ttlMs,
  });
}
