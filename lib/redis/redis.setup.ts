import { RedisBroadcastAdapter } from '../adapters/redis.broadcast-adapter.js';
import type { ChannelsModuleOptions, ResolvedChannelsOptions } from '../channels.options.js';
import { RedisHistoryStore } from '../history/redis.history-store.js';
import { RedisRateLimitStore } from '../rate-limit/redis.rate-limit-store.js';
import { RedisConnection } from './redis.connection.js';

/**
 * Fills in what the `redis` option stands for: a {@link RedisBroadcastAdapter}, a
 * {@link RedisHistoryStore} and a {@link RedisRateLimitStore} (with the in-memory insurance
 * limiter) on one connection, each unless given on its own.
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
  };
}
