import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import type { ChannelsClient } from '../../lib/client/index.js';
import { BlockedWebSocket, createClient, StateLog } from './support/client-harness.js';

// Which transport the client tries, seen from the server: this one refuses both (upgrades are
// dropped, every HTTP request is 404), so the test sees each attempt's first request.
describe('ChannelsClient chooses its transport', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];
  const headers: IncomingMessage['headers'][] = [];
  const clients: ChannelsClient[] = [];
  let onSeen: (() => void) | undefined;
  let dropHttp = false;

  const record = (line: string, request: IncomingMessage) => {
    seen.push(line);
    headers.push(request.headers);
    onSeen?.();
  };
  const waitForRequests = (n: number) =>
    new Promise<void>((resolve) => {
      onSeen = () => seen.length >= n && resolve();
      onSeen();
    });

  beforeAll(async () => {
    server = createServer((request, response) => {
      record(`${request.method} ${request.url}`, request);
      if (dropHttp) return request.socket.destroy();
      response
        .writeHead(404, { 'Content-Type': 'application/json' })
        .end('{"error":{"code":"UNKNOWN_EVENT","message":"no"}}');
    });
    server.on('upgrade', (request: IncomingMessage, socket) => {
      record(`UPGRADE ${request.url}`, request);
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/channels`;
  });
  afterEach(() => {
    clients.splice(0).forEach((c) => c.close());
    seen.length = headers.length = 0;
    onSeen = undefined;
    dropHttp = false;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });

  const client = (options: Partial<Parameters<typeof createClient>[0]> = {}) => {
    const c = createClient({ url: base, token: 'tok', random: () => 0, ...options });
    clients.push(c);
    return c;
  };
  /** Starts connecting a client with `options` and waits for the server to see `n` requests. */
  const connectUntilSeen = async (n: number, options: Parameters<typeof client>[0]) => {
    const c = client(options);
    void c.connect().catch(() => undefined);
    await waitForRequests(n);
  };

  it('goes straight to SSE, in the same attempt, when the WebSocket constructor throws', async () => {
    await connectUntilSeen(1, { WebSocket: BlockedWebSocket });
    expect(seen[0]).toBe('GET /channels/sse');
    expect(headers[0]).toMatchObject({ authorization: 'Bearer tok', accept: 'text/event-stream' });
  });

  it('falls back to SSE after the WebSocket fails to open twice before any welcome', async () => {
    await connectUntilSeen(3, { WebSocket });
    expect(seen.slice(0, 3)).toEqual([
      'UPGRADE /channels',
      'UPGRADE /channels',
      'GET /channels/sse',
    ]);
    expect(headers[0]!['sec-websocket-protocol']).toBe('channels.v1,bearer.tok');
  });

  it('goes back to WebSocket when SSE cannot reach the server either (the server is down)', async () => {
    dropHttp = true;
    await connectUntilSeen(5, { WebSocket });
    expect(seen.slice(0, 5)).toEqual([
      'UPGRADE /channels',
      'UPGRADE /channels',
      'GET /channels/sse',
      'UPGRADE /channels',
      'UPGRADE /channels',
    ]);
  });

  it('uses only the transports it is given: ?transport=sse style', async () => {
    await connectUntilSeen(1, { WebSocket, transports: ['sse'] });
    expect(seen[0]).toBe('GET /channels/sse');
  });

  it('reports the SSE refusal it got as a close code and keeps trying', async () => {
    const c = client({ transports: ['sse'] });
    const log = new StateLog(c);
    void c.connect().catch(() => undefined);
    expect(await log.until((s) => s.state === 'reconnecting')).toMatchObject({
      code: 1011,
      reason: 'no',
    });
  });
});
