import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  Broker,
  ChannelsException,
  RedisBroker,
  type RedisConnection,
} from '../../../lib/index.js';
import {
  KEPT_PER_USER,
  NotificationStore,
  type Notification,
  type NotificationPage,
} from './notification.store.js';

/**
 * Notifications in Redis (with `REDIS_URL`), so that every node answers alike. Per user: a
 * list of ids (newest first), a hash of the notifications, and a set of the unread ids. It uses
 * the channels module's own Redis connection: one node holds one pair of connections, and an
 * outage is logged once, by the module. While Redis is away a call fails at once with the
 * retryable `UNAVAILABLE` (a 503 with `Retry-After` over HTTP; the client SDK retries it).
 */
export class RedisNotificationStore extends NotificationStore {
  private readonly redis: Redis;

  constructor(private readonly connection: RedisConnection) {
    super();
    // The sample reaches one Redis by URL, never a Cluster.
    this.redis = connection.client as Redis;
  }

  /** The store on the Redis connection of the channels module's broker. */
  static of(broker: Broker): RedisNotificationStore {
    if (!(broker instanceof RedisBroker))
      throw new Error('RedisNotificationStore needs the channels module on Redis (REDIS_URL).');
    return new RedisNotificationStore(broker.redis);
  }

  add(userId: string, input: { title: string; body: string }): Promise<Notification> {
    return this.whileReachable(() => this.addNow(userId, input));
  }

  list(userId: string, limit: number): Promise<NotificationPage> {
    return this.whileReachable(() => this.listNow(userId, limit));
  }

  markRead(userId: string, ids: readonly string[]): Promise<number> {
    return this.whileReachable(() => this.markReadNow(userId, ids));
  }

  // Redis away (before the call, or lost during it): the retryable answer, not an internal error.
  private async whileReachable<T>(work: () => Promise<T>): Promise<T> {
    const unreachable = () =>
      ChannelsException.unavailable('The notification store is unreachable: retry shortly.');
    if (!this.connection.isReady()) throw unreachable();
    try {
      return await work();
    } catch (error) {
      if (!this.connection.isReady()) throw unreachable();
      throw error;
    }
  }

  private async addNow(
    userId: string,
    input: { title: string; body: string },
  ): Promise<Notification> {
    const notification: Notification = {
      id: randomUUID(),
      ...input,
      createdAt: new Date().toISOString(),
      read: false,
    };
    const keys = keysOf(userId);
    const dropped = await this.redis.lrange(keys.ids, KEPT_PER_USER - 1, -1);
    const multi = this.redis
      .multi()
      .hset(keys.items, notification.id, JSON.stringify(notification))
      .lpush(keys.ids, notification.id)
      .ltrim(keys.ids, 0, KEPT_PER_USER - 1)
      .sadd(keys.unread, notification.id);
    if (dropped.length > 0) multi.hdel(keys.items, ...dropped).srem(keys.unread, ...dropped);
    await multi.exec();
    return notification;
  }

  private async listNow(userId: string, limit: number): Promise<NotificationPage> {
    const keys = keysOf(userId);
    const ids = await this.redis.lrange(keys.ids, 0, limit - 1);
    const [stored, unreadIds] = await Promise.all([
      ids.length > 0 ? this.redis.hmget(keys.items, ...ids) : Promise.resolve([]),
      this.redis.smembers(keys.unread),
    ]);
    const unread = new Set(unreadIds);
    const items = stored
      .filter((json): json is string => json !== null)
      .map((json) => JSON.parse(json) as Notification)
      .map((n) => ({ ...n, read: !unread.has(n.id) }));
    return { items, unread: unread.size };
  }

  private async markReadNow(userId: string, ids: readonly string[]): Promise<number> {
    const keys = keysOf(userId);
    if (ids.length > 0) await this.redis.srem(keys.unread, ...ids);
    return this.redis.scard(keys.unread);
  }
}

function keysOf(userId: string): { ids: string; items: string; unread: string } {
  const tag = `sample:{user:${userId}}`;
  return { ids: `${tag}:ids`, items: `${tag}:items`, unread: `${tag}:unread` };
}
