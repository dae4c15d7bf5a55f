import type { TransportName } from '../../lib/client/index.js';
import { sleep } from '../support/wait.js';
import { Inbox, useClientHarness } from './support/client-harness.js';

// The server runs a connection's commands concurrently (and over SSE each is its own HTTP
// request), so a channel's subscribe and unsubscribe could be applied in another order than
// the app made them. Whatever the app did last must be what the server holds.
describe.each<[TransportName]>([['websocket'], ['sse']])(
  'ChannelsClient (%s): subscribe and unsubscribe of one channel in quick succession',
  (transport) => {
    const harness = useClientHarness({}, { token: 'alice-token', transports: [transport] });
    const client = async () => {
      const created = harness.client();
      await created.connect();
      return created;
    };
    // Leaves time for a command that would still be on its way to land.
    const settle = () => sleep(150);

    it.each(['room:flip', 'slow:30'])(
      'stays subscribed to %s after subscribe, unsubscribe, subscribe',
      async (channel) => {
        const c = await client();
        const first = c.subscribe(channel, () => undefined);
        const firstEnded = expect(first).rejects.toMatchObject({ code: 'CLOSED', channel });
        const left = c.unsubscribe(channel);
        const inbox = new Inbox();
        await c.subscribe(channel, inbox.handler);
        await firstEnded;
        await left;
        await settle();
        expect(harness.server.channels.subscriptionCount(channel)).toBe(1);
        await harness.server.channels.publish(channel, 'n', 'live');
        expect(await inbox.count(1)).toEqual(['live']);
      },
    );

    it.each(['room:flop', 'slow:30'])(
      'is left on %s after subscribe, unsubscribe',
      async (channel) => {
        const c = await client();
        const first = c.subscribe(channel, () => undefined);
        const firstEnded = expect(first).rejects.toMatchObject({ code: 'CLOSED' });
        await c.unsubscribe(channel);
        await firstEnded;
        await settle();
        expect(harness.server.channels.subscriptionCount(channel)).toBe(0);
      },
    );

    it('holds what the app asked for last after many flips', async () => {
      const c = await client();
      const channel = 'slow:5';
      const ended: Array<Promise<unknown>> = [];
      for (let i = 0; i < 5; i++) {
        ended.push(c.subscribe(channel, () => undefined).catch(() => undefined));
        ended.push(c.unsubscribe(channel));
      }
      const inbox = new Inbox();
      const last = c.subscribe(channel, inbox.handler);
      await Promise.all(ended);
      await last;
      await settle();
      expect(harness.server.channels.subscriptionCount(channel)).toBe(1);
      await harness.server.channels.publish(channel, 'n', 'once');
      await inbox.count(1);
      await settle();
      expect(inbox.items).toEqual(['once']);
    });
  },
);
