import type { ChannelsClient, TransportName } from '../../lib/client/index.js';
import { sleep } from '../support/wait.js';
import { Inbox, useClientHarness } from './support/client-harness.js';

// A closed client holds nothing: close() (or a close code that says stop) ends every
// subscription, and a later connect() starts with none (docs/client.md, "Closing").
describe.each<[TransportName]>([['websocket'], ['sse']])(
  'ChannelsClient (%s) connected again after it was closed',
  (transport) => {
    const harness = useClientHarness({}, { token: 'alice-token', transports: [transport] });
    const client = () => harness.client();
    // Leaves time for a resubscribe that should not happen.
    const settle = () => sleep(300);
    // The channels the server holds for the client's current connection. (Counting a
    // channel's subscribers would also count a closed connection whose slow join finished
    // after the close: a server-side leak, not the client's doing.)
    const held = (c: ChannelsClient) => [
      ...(harness.server.channels.getConnection(c.connectionId!)?.subscriptions ?? []),
    ];
    // Connects `c` again, then leaves time for a resubscribe: the server holds nothing for it.
    const connectAgainHoldingNothing = async (c: ChannelsClient) => {
      await c.connect();
      await settle();
      expect(held(c)).toEqual([]);
    };
    // Publishes on each channel, then leaves time for a push that should not arrive.
    const publishLate = async (...channels: string[]) => {
      for (const channel of channels) await harness.server.channels.publish(channel, 'n', 'late');
      await settle();
    };

    it('subscribes nothing it held before close(), confirmed or still waiting', async () => {
      const c = client();
      await c.connect();
      const confirmed = new Inbox();
      await c.subscribe('room:before-close', confirmed.handler);
      const waiting = new Inbox();
      const pending = c.subscribe('slow:200', waiting.handler);
      c.close();
      await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });

      await connectAgainHoldingNothing(c);
      await publishLate('room:before-close', 'slow:200');
      expect(confirmed.items).toEqual([]);
      expect(waiting.items).toEqual([]);

      // Subscribing again works as on a new client.
      const again = new Inbox();
      await c.subscribe('room:before-close', again.handler);
      await harness.server.channels.publish('room:before-close', 'n', 'again');
      expect(await again.count(1)).toEqual(['again']);
      expect(confirmed.items).toEqual([]);
    });

    it('forgets a subscription rejected with CLOSED before the first connection', async () => {
      const c = client();
      const inbox = new Inbox();
      const early = c.subscribe('room:early', inbox.handler);
      c.close();
      await expect(early).rejects.toMatchObject({ code: 'CLOSED' });
      await connectAgainHoldingNothing(c);
      await publishLate('room:early');
      expect(inbox.items).toEqual([]);
    });

    it('forgets its subscriptions when the server stops it with 1000', async () => {
      const { c } = await harness.subscribedClient('room:stopped');
      const log = harness.closeFromServer(c, 1000, 'logged out');
      await log.until((s) => s.state === 'closed');
      await connectAgainHoldingNothing(c);
    });
  },
);
