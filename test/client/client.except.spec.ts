import type { ChannelsClient, SubscribedInfo, TransportName } from '../../lib/client/index.js';
import { ChannelsEvents, HistoryStore } from '../../lib/index.js';
import { waitFor } from '../support/wait.js';
import { Inbox, useClientHarness } from './support/client-harness.js';

// The README quick start's pattern, `publish(..., { except: client.id })` from the sender's own
// handler, with the SDK on both transports: the sender is told the channel moved (a position
// frame), so it sees no gap, never resubscribes and never gets its own message back; a push that
// is really lost is still recovered.
describe.each<TransportName>(['websocket', 'sse'])(
  'publish with except, SDK over %s',
  (transport) => {
    const harness = useClientHarness({}, { transports: [transport], random: () => 0 });
    // A fresh channel per test: offsets start at 1.
    let channel = '';
    let tests = 0;
    beforeEach(() => (channel = `room:except-${transport}-${++tests}`));

    // Every `subscribe` command the server handled, per connection id.
    const subscribes = new Map<string, number>();
    beforeAll(() => {
      harness.server.tokens.users.set('bob-token', 'bob');
      harness.server.app.get(ChannelsEvents).on('command.handled', ({ connection, event }) => {
        if (event === 'subscribe')
          subscribes.set(connection.id, (subscribes.get(connection.id) ?? 0) + 1);
      });
    });

    const join = async (token: string) => {
      const c = harness.client({ token });
      await c.connect();
      expect(c.transport).toBe(transport);
      const inbox = new Inbox<string>();
      const renewals: SubscribedInfo[] = [];
      c.on('subscribed', (info) => renewals.push(info));
      await c.subscribe(channel, inbox.handler);
      return { c, inbox, renewals };
    };
    // A command's answer comes after every frame the server wrote before it (WebSocket); over
    // SSE pushes travel apart from POST answers, so a marker push closes each phase instead.
    const publish = (event: string, data: string) =>
      harness.server.channels.publish(channel, event, data);
    const subscribeCount = (c: ChannelsClient) => subscribes.get(c.connectionId!) ?? 0;

    it('never echoes the sender its own message, nor resubscribes it, over three more pushes', async () => {
      const alice = await join('alice-token');
      const bob = await join('bob-token');

      expect(await alice.c.request('say', { channel, text: 'mine' })).toBe('sent');
      expect(await bob.inbox.count(1)).toEqual(['mine']);
      for (const text of ['p1', 'p2', 'p3']) await publish('n', text);

      expect(await bob.inbox.count(4)).toEqual(['mine', 'p1', 'p2', 'p3']);
      expect(await alice.inbox.count(3)).toEqual(['p1', 'p2', 'p3']);
      // A resubscribe would have replayed 'mine' before 'p1', and be answered by now: one more
      // push, and the sender's inbox holds only the pushes it was meant to get.
      await publish('n', 'p4');
      expect(await alice.inbox.count(4)).toEqual(['p1', 'p2', 'p3', 'p4']);
      expect(subscribeCount(alice.c)).toBe(1);
      expect(subscribeCount(bob.c)).toBe(1);
      expect(alice.renewals).toEqual([{ channel, resubscribed: false, recovered: false }]);
    });

    it('still recovers a push that was really lost, and skips its own message in the replay', async () => {
      const alice = await join('alice-token');
      const bob = await join('bob-token');
      await publish('n', 'p1');
      expect(await alice.inbox.count(1)).toEqual(['p1']);
      expect(await bob.inbox.count(1)).toEqual(['p1']);

      // A push that reaches the channel's history but no subscriber: what a pub/sub message
      // lost between nodes looks like to a client (its offset is skipped).
      const lost = await harness.server.app.get(HistoryStore).append(channel, 'n', 'lost');
      // The sender's next frame is the position frame of its own message, one offset past the
      // lost push: a real gap, repaired from history, where its own message must not reappear.
      expect(await alice.c.request('say', { channel, text: 'mine' })).toBe('sent');
      await waitFor(() => alice.renewals.length === 2, 5_000, "the sender's recovery");
      expect(alice.renewals[1]).toEqual({ channel, resubscribed: true, recovered: true });
      await publish('n', 'p2');

      expect(await alice.inbox.count(3)).toEqual(['p1', 'lost', 'p2']);
      expect(await bob.inbox.count(4)).toEqual(['p1', 'lost', 'mine', 'p2']);
      expect(subscribeCount(alice.c)).toBe(2);
      expect(lost.offset).toBe(2);
    });
  },
);
