import { WebSocket } from 'ws';
import { StateLog, createClient, startServer, type TestServer } from './support/client-harness.js';

// A server shutting down answers 503 + Retry-After (docs/protocol.md): the SDK reconnects
// later, as after a 1001, rather than treating it as a server failure or an unknown event.
describe('ChannelsClient and a server that is shutting down', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer({ shutdown: { timeoutMs: 5_000 } });
  });

  it('reconnects after the Retry-After of a 503 on the SSE stream, with code 1001', async () => {
    const client = createClient({
      url: server.url,
      token: 'alice-token',
      transports: ['sse'],
      backoff: { initialMs: 20, maxMs: 100, factor: 2 },
      random: () => 0.5,
    });
    await client.connect();
    const log = new StateLog(client);
    // A command in flight on another client keeps the shutdown's drain going for a while.
    const holder = new WebSocket(`${server.url.replace('http', 'ws')}`, [
      'channels.v1',
      'bearer.alice-token',
    ]);
    await new Promise((resolve) => holder.once('message', resolve));
    holder.send(JSON.stringify({ id: 1, event: 'slow', data: { ms: 2_000 } }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = server.app.close();
    // The stream drops (as a network failure would); its next attempt meets the shutdown.
    server.channels.disconnect({ connectionId: client.connectionId! }, 1012, 'restart');

    expect(await log.until((s) => s.state === 'reconnecting' && s.code !== 1012)).toMatchObject({
      state: 'reconnecting',
      code: 1001,
      reason: 'The server is shutting down.',
      delayMs: expect.any(Number),
    });
    const change = log.changes[log.changes.length - 1] as { delayMs: number };
    expect(change.delayMs).toBeGreaterThanOrEqual(1_000);
    client.close();
    holder.terminate();
    await closing;
  });
});
