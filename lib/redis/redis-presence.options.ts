import type { Redis } from 'ioredis';
import type { RedisOutageLog } from './redis.outage-log.js';

/**
 * Options of {@link RedisPresenceStore}.
 * @example new RedisPresenceStore({ client: new Redis(process.env.REDIS_URL), ttlMs: 15_000 })
 */
export interface RedisPresenceStoreOptions {
  /**
   * An `ioredis` client to copy the connection settings from. The store opens its own two
   * connections with `client.duplicate()` (commands, and the change subscription) and closes
   * them on shutdown; it never closes `client`.
   */
  client: Redis;
  /**
   * How long the members of a node that died without a shutdown stay listed: its lease lasts
   * two thirds of it and is renewed six times per TTL, and every node looks for expired
   * leases as often, so their leaves go out within the TTL.
   * @default 30000
   */
  ttlMs?: number;
  /**
   * How long this node gathers its joins and leaves before writing them, per channel, in one
   * script that publishes them as one message to every node (a reconnect storm of a thousand
   * members is a message per window, not one per member). The module passes its
   * `presence.coalesceMs`. A join or leave resolves once written.
   * @default 50
   */
  batchMs?: number;
  /**
   * Prefix of every Redis key and of the change channel, to share one Redis between apps.
   * @default 'channels:presence'
   */
  keyPrefix?: string;
  /**
   * This node's id in Redis.
   * @default a random UUID
   */
  nodeId?: string;
  /**
   * Where the store's connections log an outage (one line when lost, one when back). The
   * module passes its `RedisConnection.outages` when it makes the store, so that one outage
   * of the node's Redis is two lines, not two per connection.
   * @default a log of the store's own
   */
  outageLog?: RedisOutageLog;
}
