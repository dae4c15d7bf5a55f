import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { sleep, waitFor, withConcurrency } from '../../support/wait.js';
import type { TestClient } from '../../support/ws-client.js';
import { useChannels } from './channels-app.js';

/**
 * Sends an upgrade request to the channels endpoint and resets the TCP connection (RST) right
 * after it, or after `afterMs`: the server meets the reset while it answers, refuses or
 * upgrades that request.
 */
function upgradeAndReset(url: string, headers: string, afterMs: number): Promise<void> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
          `Sec-WebSocket-Version: 13\r\n${headers}\r\n`,
      );
      const reset = () => socket.resetAndDestroy();
      if (afterMs === 0) reset();
      else setTimeout(reset, afterMs);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

// Handshakes with no guard to run and no handshake rate (`rateLimits.connection: false`) are
// admitted and upgraded within the `upgrade` event (no promise, no deadline): the places they take in the per-IP cap pass to the connection in
// that call, or are given back in it. Clients that vanish at each step must cost nothing.
describe('security: upgrades reset by their clients, with no handshake guard and no handshake rate', () => {
  const channels = useChannels({
    limits: { maxConnectionsPerIp: 5 },
    rateLimits: { connection: false },
  });

  it('never takes the node down and gives back every place in the per-IP cap', async () => {
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onCrash);
    try {
      // Three kinds, mixed: a foreign origin (refused with 403), an upgrade reset at once, and
      // one reset a moment after its 101; five of them at a time, the cap's size.
      const kinds = ['Origin: https://evil.example\r\n', '', ''];
      await withConcurrency(300, 5, (i) =>
        upgradeAndReset(channels.url, kinds[i % 3]!, i % 3 === 2 ? 5 : 0),
      );
      await waitFor(() => channels.service.connectionCount() === 0);
      // The cap counts what is live: five welcomed, the sixth refused with 4429.
      const clients: TestClient[] = [];
      for (let i = 0; i < 5; i++) clients.push((await channels.connect()).client);
      const sixth = await channels.open();
      expect((await sixth.closed).code).toBe(4429);
      expect(channels.service.connectionCount()).toBe(5);
      // A closed one's place is free again at once.
      clients[0]!.close();
      await waitFor(() => channels.service.connectionCount() === 4);
      const { welcome } = await channels.connect();
      expect(welcome.event).toBe('connected');
      await sleep(50);
      expect(crashes).toEqual([]);
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });
});
