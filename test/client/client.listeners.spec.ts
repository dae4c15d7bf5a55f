import type { TransportName } from '../../lib/client/index.js';
import { sleep } from '../support/wait.js';
import { StateLog, useClientHarness } from './support/client-harness.js';

// Listeners run synchronously inside the client's transitions. One that calls close() there
// must stop the client for good, whatever the transition was about to do next.
describe.each<[TransportName]>([['websocket'], ['sse']])(
  'ChannelsClient (%s) closed from inside its own listeners',
  (transport) => {
    const harness = useClientHarness(
      {},
      {
        token: 'alice-token',
        transports: [transport],
        backoff: { initialMs: 20, maxMs: 40, factor: 2 },
        random: () => 0.5,
      },
    );
    const client = () => harness.client();
    // Lets every timer the client could have armed fire, and the attempt it starts finish.
    const settle = () => sleep(300);

    it('stays closed when a state listener closes it while reconnecting', async () => {
      const c = client();
      await c.connect();
      const log = new StateLog(c);
      c.on('state', ({ state }) => state === 'reconnecting' && c.close());
      harness.server.channels.disconnect({ connectionId: c.connectionId! }, 1012);
      await log.until((s) => s.state === 'closed');
      await settle();
      expect(log.states()).toEqual(['reconnecting', 'closed']);
      expect(c.state).toBe('closed');
      expect(harness.server.channels.connectionCount()).toBe(0);
    });

    it('stays closed when a state listener closes it while connecting', async () => {
      const c = client();
      const log = new StateLog(c);
      c.on('state', ({ state }) => state === 'connecting' && c.close());
      await expect(c.connect()).rejects.toMatchObject({ code: 'CLOSED' });
      await settle();
      expect(log.states()).toEqual(['connecting', 'closed']);
      expect(harness.server.channels.connectionCount()).toBe(0);
    });

    it('stays closed when a transport listener closes it at the welcome', async () => {
      const c = client();
      const log = new StateLog(c);
      c.on('transport', () => c.close());
      await expect(c.connect()).rejects.toMatchObject({ code: 'CLOSED' });
      await settle();
      expect(log.states()).toEqual(['connecting', 'closed']);
      expect(c.state).toBe('closed');
      await expect(c.request('echo')).rejects.toMatchObject({ code: 'CLOSED' });
    });

    it('can be closed and connected again from a state listener', async () => {
      const c = client();
      await c.connect();
      const log = new StateLog(c);
      let restarted = false;
      c.on('state', ({ state }) => {
        if (state !== 'reconnecting' || restarted) return;
        restarted = true;
        c.close();
        void c.connect();
      });
      harness.server.channels.disconnect({ connectionId: c.connectionId! }, 1012);
      await log.until((s) => s.state === 'connected');
      await settle();
      expect(log.states()).toEqual(['reconnecting', 'closed', 'connecting', 'connected']);
      expect(harness.server.channels.connectionCount()).toBe(1);
    });
  },
);
