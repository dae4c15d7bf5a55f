// The `status` channel on the page: totals and the latest titles. The channel is delivered
// `latest`, so a tab that falls behind draws only the newest value (nothing to replay).
import type { StatusPush } from '../src/notifications/status.contract.js';

const element = (id: string): HTMLElement => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page has no #${id}.`);
  return found;
};

/** Draws one `stats` push. All text goes in as text. */
export function showStatus(stats: StatusPush): void {
  element('status-notifications').textContent = String(stats.notifications);
  element('status-announcements').textContent = String(stats.announcements);
  element('status-recent').replaceChildren(
    ...stats.recent.map((title) => {
      const item = document.createElement('li');
      item.textContent = title;
      return item;
    }),
  );
}
