/** A notification as the recipient's list holds it. */
export interface Notification {
  id: string;
  title: string;
  body: string;
  /** ISO 8601. */
  createdAt: string;
  read: boolean;
}

/** A page of a user's notifications, newest first, with the unread count of all of them. */
export interface NotificationPage {
  items: Notification[];
  unread: number;
}

/** How many notifications every store keeps per user; older ones are dropped. */
export const KEPT_PER_USER = 500;

/**
 * Each user's notifications. Abstract class as DI token: the in-memory store serves one
 * node; a shared store (Redis, with `REDIS_URL`) arrives with the Redis adapter.
 */
export abstract class NotificationStore {
  /** Stores a new, unread notification for `userId`. */
  abstract add(userId: string, input: { title: string; body: string }): Promise<Notification>;
  /** The latest `limit` notifications of `userId`, and how many are unread. */
  abstract list(userId: string, limit: number): Promise<NotificationPage>;
  /** Marks some of `userId`'s notifications read (unknown ids are ignored). @returns the unread count */
  abstract markRead(userId: string, ids: readonly string[]): Promise<number>;
}
