import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  KEPT_PER_USER,
  NotificationStore,
  type Notification,
  type NotificationPage,
} from './notification.store.js';

/** Notifications in this process's memory: lost on restart, not shared between nodes. */
@Injectable()
export class InMemoryNotificationStore extends NotificationStore {
  private readonly byUser = new Map<string, Notification[]>();

  async add(userId: string, input: { title: string; body: string }): Promise<Notification> {
    const notification: Notification = {
      id: randomUUID(),
      ...input,
      createdAt: new Date().toISOString(),
      read: false,
    };
    const list = this.byUser.get(userId) ?? [];
    list.unshift(notification);
    if (list.length > KEPT_PER_USER) list.length = KEPT_PER_USER;
    this.byUser.set(userId, list);
    return notification;
  }

  async list(userId: string, limit: number): Promise<NotificationPage> {
    const list = this.byUser.get(userId) ?? [];
    return { items: list.slice(0, limit).map((n) => ({ ...n })), unread: this.unread(list) };
  }

  async markRead(userId: string, ids: readonly string[]): Promise<number> {
    const list = this.byUser.get(userId) ?? [];
    const wanted = new Set(ids);
    for (const notification of list) if (wanted.has(notification.id)) notification.read = true;
    return this.unread(list);
  }

  private unread(list: Notification[]): number {
    return list.reduce((count, n) => count + (n.read ? 0 : 1), 0);
  }
}
