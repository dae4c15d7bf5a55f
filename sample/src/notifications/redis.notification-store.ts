import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  KEPT_PER_USER,
  NotificationStore,
  type Notification,
  type NotificationPage,
} from './notification.store.js';

/**
 * Notifications in Redis (with `REDIS_URL`), so that every node answers alike. Per user: a
 * list of ids (newest first), a hash of the notifications, and a set of the unread ids.
 */
@Injectable()
export class RedisNotificationStore extends NotificationStore implements OnApplicationShutdown {
  private constructor(private readonly redis: Redis) {
    super();
  }

  /** Connects to `url`; ioredis is loaded only when the sample runs with Redis. */
  static async connect(url: string): Promise<RedisNotificationStore> {
    const { Redis } = await import('ioredis');
    const client = new Redis(url, { lazyConnect: true });
    // It reconnects by itself, and requests made meanwhile wait in its queue: one line per outage.
    const logger = new Logger('Sample');
    let reported = false;
    client.on('error', (error: Error) => {
      if (!reported) logger.warn(`Notification store Redis: ${error.message} (reconnecting)`);
      reported = true;
    });
    client.on('ready', () => (reported = false));
    await client.connect();
    return new RedisNotificationStore(client);
  }

  async add(userId: string, input: { title: string; body: string }): Promise<Notification> {
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

  async list(userId: string, limit: number): Promise<NotificationPage> {
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

  async markRead(userId: string, ids: readonly string[]): Promise<number> {
    const keys = keysOf(userId);
    if (ids.length > 0) await this.redis.srem(keys.unread, ...ids);
    return this.redis.scard(keys.unread);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function keysOf(userId: string): { ids: string; items: string; unread: string } {
  const tag = `sample:{user:${userId}}`;
  return { ids: `${tag}:ids`, items: `${tag}:items`, unread: `${tag}:unread` };
}
