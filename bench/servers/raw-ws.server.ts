// Two plain `ws` servers: the tutorial one (JSON.stringify + send per socket) and the practical
// floor (the push framed once, the same bytes gathered per socket and written once per turn).
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { readJson, serveHarness } from './server.protocol.js';

/** Frames text as one unmasked final text frame (RFC 6455), header and payload together. */
function frame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const bytes = Buffer.allocUnsafe(header + length);
  bytes[0] = 0x81;
  if (header === 2) bytes[1] = length;
  else if (header === 4) {
    bytes[1] = 126;
    bytes.writeUInt16BE(length, 2);
  } else {
    bytes[1] = 127;
    bytes.writeBigUInt64BE(BigInt(length), 2);
  }
  bytes.write(text, header);
  return bytes;
}

interface Subscriber {
  ws: WebSocket;
  raw: Socket;
  pending: Buffer[];
  due: boolean;
}

export async function startRawWs(mode: 'naive' | 'floor'): Promise<void> {
  const channels = new Map<string, Set<Subscriber>>();
  let due: Subscriber[] = [];
  const flush = () => {
    const list = due;
    due = [];
    for (const s of list) {
      s.due = false;
      if (s.pending.length === 0 || s.ws.readyState !== 1) continue;
      s.raw.write(s.pending.length === 1 ? s.pending[0]! : Buffer.concat(s.pending));
      s.pending.length = 0;
    }
  };
  const server = createServer((request, response) => {
    void readJson(request).then(({ channel, data }) => {
      const subscribers = channels.get(channel);
      if (subscribers && mode === 'naive') {
        for (const s of subscribers) s.ws.send(JSON.stringify({ channel, event: 'push', data }));
      } else if (subscribers) {
        const bytes = frame(JSON.stringify({ channel, event: 'push', data }));
        if (due.length === 0) setImmediate(flush);
        for (const s of subscribers) {
          s.pending.push(bytes);
          if (!s.due) {
            s.due = true;
            due.push(s);
          }
        }
      }
      response.end('{}');
    });
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });
  wss.on('connection', (ws, request) => {
    const channel = new URL(request.url ?? '/', 'http://x').searchParams.get('channel');
    const raw = (ws as unknown as { _socket: Socket })._socket;
    const subscriber: Subscriber = { ws, raw, pending: [], due: false };
    if (channel) {
      let set = channels.get(channel);
      if (!set) channels.set(channel, (set = new Set()));
      set.add(subscriber);
      ws.once('close', () => set.delete(subscriber));
    }
    ws.on('message', (data) => ws.send(data.toString()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serveHarness(server);
}
