// The notification page. In an app of your own the import is 'nestjs-channels/client'.
import {
  ChannelsClient,
  type PresenceSubscription,
  type TransportName,
} from '../../lib/client/index.js';
// Types only (erased from the bundle): the server's declared channels and commands, so every
// event name, payload, reply and push below is checked against the gateway (docs/contract.md).
import type { NotificationsApi } from '../src/notifications/notifications.contract.js';
import { announce, demoLogin, notify } from './demo.api.js';
import { InboxModel } from './inbox.model.js';
import { OnlineModel, trackOnline, type OnlineInfo } from './online.presence.js';
import { view } from './page.view.js';
import { showDigest } from './digest.view.js';

import { showStatus } from './status.panel.js';

const USER_KEY = 'nestjs-channels-demo:user';
const forceSse = new URLSearchParams(location.search).get('transport') === 'sse';
const transports: TransportName[] = forceSse ? ['sse'] : ['websocket', 'sse'];
// `?encoding=msgpack`: MessagePack on WebSocket; its codec is a chunk of its own, loaded only then.
const encoding =
  new URLSearchParams(location.search).get('encoding') === 'msgpack' ? 'msgpack' : 'json';

interface Session {
  userId: string;
  token: string;
  client: ChannelsClient<NotificationsApi>;
  inbox: InboxModel;
}

let session: Session | undefined;
// Each sign-in gets a number; a slower earlier one that finishes later steps aside.
let signIns = 0;

async function signIn(userId: string): Promise<void> {
  const attempt = ++signIns;
  const token = await demoLogin(userId);
  if (attempt !== signIns) return;
  session?.client.close();
  sessionStorage.setItem(USER_KEY, userId);
  const inbox = new InboxModel();
  const client = new ChannelsClient<NotificationsApi>({
    url: '/channels',
    token,
    // The server closes with 4401 when the token is refused or expires: sign in again.
    getToken: async () => (current.token = await demoLogin(userId)),
    transports,
    encoding,
  });
  const current: Session = { userId, token, client, inbox };
  session = current;
  view.signedIn(userId);

  client.on('state', (change) => view.state(change));
  client.on('transport', (name) => view.transport(name, forceSse));
  client.on('error', (error) => console.warn('[channels]', error));

  const refresh = async (): Promise<void> => {
    inbox.fetching();
    inbox.replace(await client.request('notifications.list'));
    view.render(inbox);
  };
  const own = client.subscribe(
    `user:${userId}`,
    (notification) => {
      if (inbox.add({ ...notification, read: false })) view.render(inbox, notification.id);
    },
    // Missed notifications could not be replayed after a reconnect: ask for the list again.
    { onReset: () => void refresh().catch(report) },
  );
  void client
    .subscribe('broadcast', (announcement) => view.announce(announcement))
    // Who else is signed in: `broadcast` has presence (see the gateway's @OnJoin).
    .then((room) =>
      trackOnline(room as PresenceSubscription<OnlineInfo>, new OnlineModel(), (m) =>
        view.online(m),
      ),
    )
    .catch(report);
  // Totals and recent titles (`status`, delivered `latest`: a slow tab gets the newest only).
  // Deltas: each `stats` differs a little from the one before (the SDK applies them).
  void client.subscribe('status', (stats) => showStatus(stats), { delta: true }).catch(report);
  // Both awaited together, so a failed connect cannot leave `own` rejected unobserved.
  await Promise.all([client.connect(), own]);
  await refresh();
}

// The digest in progress, cancelled (on the server too) by a new one or a sign-out.
let digest: AbortController | undefined;

function signOut(): void {
  digest?.abort();
  session?.client.close();
  session = undefined;
  sessionStorage.removeItem(USER_KEY);
  view.signedOut();
}

async function markRead(ids: string[]): Promise<void> {
  if (!session || ids.length === 0) return;
  const { unread } = await session.client.request('notifications.markRead', { ids });
  session.inbox.markRead(ids, unread);
  view.render(session.inbox);
}

function report(error: unknown): void {
  console.error(error);
}

view.signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const userId = String(new FormData(view.signInForm).get('userId') ?? '');
  view.signInError.hidden = true;
  const attempt = signIns + 1;
  signIn(userId).catch((error: unknown) => {
    // A sign-in superseded by a newer one fails quietly: its client was closed on purpose.
    if (attempt !== signIns) return;
    view.signInError.hidden = false;
    view.signInError.textContent = error instanceof Error ? error.message : String(error);
    signOut();
  });
});

view.signOut.addEventListener('click', signOut);
view.digest.addEventListener('click', () => {
  if (!session) return;
  digest?.abort();
  digest = new AbortController();
  void showDigest(session.client, view.digestText, digest.signal).catch(report);
});
view.markAll.addEventListener(
  'click',
  () => void markRead(session?.inbox.unreadIds(100) ?? []).catch(report),
);
view.list.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest('button.mark-read');
  const id = button?.closest('li')?.dataset.id;
  if (id) void markRead([id]).catch(report);
});

view.compose.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!session) return;
  const form = new FormData(view.compose);
  const text = (name: string) => String(form.get(name) ?? '');
  const isAnnouncement = (event as SubmitEvent).submitter?.getAttribute('name') === 'announce';
  const sent = isAnnouncement
    ? announce(session.token, text('title'))
    : notify(session.token, { userId: text('userId'), title: text('title'), body: text('body') });
  sent.then(
    () =>
      (view.composeStatus.textContent = isAnnouncement
        ? 'Announced.'
        : `Sent to ${text('userId')}.`),
    (error: unknown) =>
      (view.composeStatus.textContent = `Not sent: ${error instanceof Error ? error.message : String(error)}`),
  );
});

// A reload keeps the user signed in (with a fresh token).
const remembered = sessionStorage.getItem(USER_KEY);
if (remembered) void signIn(remembered).catch(() => signOut());
