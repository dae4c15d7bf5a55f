import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROBE_CHANNEL } from '../../lib/client/channels.client.js';
import type { ChannelsClient } from '../../lib/client/index.js';
import { sleep } from '../support/wait.js';
import { createClient, startServer, StateLog } from './support/client-harness.js';

describe('ChannelsClient notices a dead server', () => {
  const clients: ChannelsClient[] = [];
  afterEach(() => clients.splice(0).forEach((c) => c.close()));

  // A real server cannot be made to stop answering while its socket stays open, so this one
  // welcomes, then hears everything and answers nothing (a hung process, a dead proxy path).
  it('probes a silent connection after heartbeatMs, and replaces it after heartbeatMs + timeout', async () => {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: () => 'channels.v1',
    });
    await new Promise((resolve) => wss.once('listening', resolve));
    const sockets: WebSocket[] = [];
    const heard: unknown[] = [];
    wss.on('connection', (socket) => {
      sockets.push(socket);
      socket.on('message', (data) => heard.push(JSON.parse(data.toString())));
      socket.send(
        JSON.stringify({
          event: 'connected',
          data: { connectionId: `c${sockets.length}`, heartbeatMs: 150, protocol: 1 },
        }),
      );
    });
    try {
      const { port } = wss.address() as AddressInfo;
      const c = createClient({
        url: `http://127.0.0.1:${port}/channels`,
        heartbeatTimeoutMs: 300,
        random: () => 0,
      });
      clients.push(c);
      const log = new StateLog(c);
      await c.connect();
      expect(await log.until((s) => s.state === 'reconnecting')).toMatchObject({ code: 4408 });
      expect(heard).toContainEqual({
        id: expect.any(Number),
        event: 'unsubscribe',
        data: { channel: PROBE_CHANNEL },
      });
      await log.until((s) => s.state === 'connected');
      expect(c.connectionId).toBe('c2');
    } finally {
      for (const socket of sockets) socket.terminate();
      wss.close();
    }
  });

  it('keeps a quiet but live connection: the probe is answered', async () => {
    const server = await startServer({ heartbeat: { intervalMs: 200 } });
    try {
      const c = createClient({ url: server.url, token: 'alice-token', heartbeatTimeoutMs: 400 });
      clients.push(c);
      const log = new StateLog(c);
      await c.connect();
      // Several probe rounds: a client that could not prove the server alive would reconnect.
      await sleep(1_500);
      expect(log.states()).toEqual(['connecting', 'connected']);
      expect(c.state).toBe('connected');
    } finally {
      await server.app.close();
    }
  });
});
