import type { StateChange, TransportName } from '../../lib/client/index.js';
import type { InboxModel, Item } from './inbox.model.js';
import type { OnlineModel } from './online.presence.js';

const element = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page has no #${id}.`);
  return found as T;
};

/** The page's elements, and how the app's state is drawn on them. All text goes in as text. */
export const view = {
  signIn: element<HTMLElement>('sign-in'),
  signInForm: element<HTMLFormElement>('sign-in-form'),
  signInError: element<HTMLElement>('sign-in-error'),
  inbox: element<HTMLElement>('inbox'),
  composeCard: element<HTMLElement>('compose-card'),
  compose: element<HTMLFormElement>('compose'),
  composeStatus: element<HTMLElement>('compose-status'),
  markAll: element<HTMLButtonElement>('mark-all'),
  signOut: element<HTMLButtonElement>('sign-out'),
  list: element<HTMLUListElement>('notifications'),
  digest: element<HTMLButtonElement>('digest'),
  digestText: element<HTMLElement>('digest-text'),

  signedIn(userId: string): void {
    element('who').textContent = userId;
    this.signIn.hidden = true;
    this.inbox.hidden = this.composeCard.hidden = false;
    (this.compose.elements.namedItem('userId') as HTMLInputElement).value = userId;
  },

  signedOut(): void {
    this.signIn.hidden = false;
    this.inbox.hidden = this.composeCard.hidden = true;
    this.list.replaceChildren();
    element('announcements').replaceChildren();
    element('online').replaceChildren();
    this.digestText.hidden = true;
    this.transport(undefined, false);
    this.state({ state: 'idle' });
    element('unread').textContent = '0';
  },

  transport(name: TransportName | undefined, forced: boolean): void {
    const target = element('transport');
    target.textContent = name ?? '–';
    target.dataset.transport = name ?? '';
    const note = element('transport-note');
    note.hidden = name !== 'sse';
    note.textContent = forced
      ? 'SSE + POST, as ?transport=sse asks.'
      : 'WebSocket is unavailable here: using the SSE + POST fallback. WebSocket will be tried again later.';
  },

  state(change: StateChange): void {
    const target = element('state');
    target.dataset.state = change.state;
    target.textContent = describe(change);
    target.title = change.reason ?? '';
  },

  render(inbox: InboxModel, freshId?: string): void {
    element('unread').textContent = String(inbox.unread);
    element('empty').hidden = inbox.items.length > 0;
    this.markAll.disabled = inbox.unread === 0;
    this.list.replaceChildren(...inbox.items.map((item) => row(item, item.id === freshId)));
  },

  online(model: OnlineModel): void {
    const users = model.userIds;
    element('online-count').textContent = String(users.length);
    element('online').replaceChildren(
      ...users.map((userId) => {
        const li = document.createElement('li');
        li.dataset.userId = userId;
        li.textContent = userId;
        return li;
      }),
    );
  },

  announce(announcement: { title: string; createdAt: string }): void {
    const li = document.createElement('li');
    li.append(
      span('badge', 'Announcement'),
      span('title', announcement.title),
      span('time', time(announcement.createdAt)),
    );
    element('announcements').prepend(li);
  },
};

function row(item: Item, fresh: boolean): HTMLLIElement {
  const li = document.createElement('li');
  li.dataset.id = item.id;
  li.dataset.read = String(item.read);
  if (fresh) li.classList.add('fresh');
  const action = document.createElement('button');
  action.type = 'button';
  action.className = 'quiet mark-read';
  action.textContent = item.read ? 'Read' : 'Mark read';
  action.disabled = item.read;
  li.append(
    span('title', item.title),
    action,
    span('body', item.body),
    span('time', time(item.createdAt)),
  );
  return li;
}

function span(className: string, text: string): HTMLSpanElement {
  const node = document.createElement('span');
  node.className = className;
  node.textContent = text;
  return node;
}

function time(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString();
}

function describe(change: StateChange): string {
  switch (change.state) {
    case 'idle':
      return 'signed out';
    case 'connecting':
      return 'connecting…';
    case 'connected':
      return 'connected';
    case 'reconnecting':
      return `reconnecting${change.delayMs === undefined ? '' : ` in ${(change.delayMs / 1000).toFixed(1)} s`}…`;
    case 'closed':
      return change.error ? `disconnected: ${change.error.message}` : 'disconnected';
  }
}
