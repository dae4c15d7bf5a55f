import type { CommandReply } from '../../lib/client/index.js';
import type { NotificationsApi } from '../src/notifications/notifications.contract.js';

/** What `notifications.list` answers: the server's declared reply type, not a copy. */
export type Page = CommandReply<NotificationsApi, 'notifications.list'>;

/** A notification as the page shows it. */
export type Item = Page['items'][number];

/**
 * The page's copy of the inbox: the server's list, plus the pushes that arrived since. A push
 * that arrives while a refetch is in flight may or may not be in its answer, so those are
 * remembered and merged in.
 */
export class InboxModel {
  items: Item[] = [];
  unread = 0;
  private arrivedDuringFetch?: Map<string, Item>;

  /** Adds a pushed notification. @returns false for one already shown */
  add(item: Item): boolean {
    this.arrivedDuringFetch?.set(item.id, item);
    if (this.items.some((existing) => existing.id === item.id)) return false;
    this.items.unshift(item);
    if (!item.read) this.unread += 1;
    return true;
  }

  /** Call before asking the server for the list. */
  fetching(): void {
    this.arrivedDuringFetch = new Map();
  }

  /** Replaces the inbox with the server's list, keeping pushes it may not include. */
  replace(page: Page): void {
    const listed = new Set(page.items.map((item) => item.id));
    const extra = [...(this.arrivedDuringFetch?.values() ?? [])].filter(
      (item) => !listed.has(item.id),
    );
    this.arrivedDuringFetch = undefined;
    this.items = [...extra, ...page.items].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    this.unread = page.unread + extra.filter((item) => !item.read).length;
  }

  /** Marks items read; `unread` is the server's count after marking. */
  markRead(ids: readonly string[], unread: number): void {
    const marked = new Set(ids);
    for (const item of this.items) if (marked.has(item.id)) item.read = true;
    this.unread = unread;
  }

  /** Ids of the unread items shown, at most `limit`. */
  unreadIds(limit: number): string[] {
    return this.items
      .filter((item) => !item.read)
      .slice(0, limit)
      .map((item) => item.id);
  }
}
