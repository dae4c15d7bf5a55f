// Soak: for SOAK_MS (default 10 minutes) an app in this process takes, at once, 100 steady
// WebSocket subscribers, a new short WebSocket session every 100 ms, 20 SSE streams of which
// one is replaced every 500 ms (each subscribing by POST), and 20 pushes/s to every
// subscriber. Every SOAK_SAMPLE_MS (default 10 s) it prints RSS and heap (after GC when run
// with --expose-gc), then a summary JSON line. `npm run soak`; `SOAK_MS=60000 npm run soak`.
import 'reflect-metadata';
import { request, type ClientRequest } from 'node:http';
import { WebSocket } from 'ws';
import { ChannelsService } from '../lib/index.js';
import { settledHeap, startSoakApp } from './soak-app.js';

const durationMs = Number(process.env.SOAK_MS ?? 600_000);
const sampleMs = Number(process.env.SOAK_SAMPLE_MS ?? 10_000);
const { app, port } = await startSoakApp();
const url = `ws://127.0.0.1:${port}/channels`;
const channels = app.get(ChannelsService);
const counts = { wsSessions: 0, sseSessions: 0, pushesReceived: 0, errors: 0 };
let running = true;

function openWs(token: string, onOpen: (socket: WebSocket) => void): WebSocket {
  const socket = new WebSocket(url, ['channels.v1', `bearer.${token}`]);
  socket.on('error', () => counts.errors++);
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { event?: string; channel?: string };
    if (frame.event === 'connected') {
      socket.send(JSON.stringify({ id: 1, event: 'subscribe', data: { channel: 'feed' } }));
      onOpen(socket);
    } else if (frame.channel === 'feed') counts.pushesReceived++;
  });
  return socket;
}

/** An SSE stream that subscribes to `feed` by POST once its welcome names its connection. */
function openSse(token: string): ClientRequest {
  const req = request({
    host: '127.0.0.1',
    port,
    path: '/channels/sse',
    agent: false,
    headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` },
  });
  req.on('error', () => undefined);
  req.on('response', (res) => {
    res.setEncoding('utf8');
    res.on('error', () => undefined);
    let buffered = '';
    res.on('data', (chunk: string) => {
      buffered += chunk;
      const blocks = buffered.split('\n\n');
      buffered = blocks.pop()!;
      for (const block of blocks) {
        if (block.includes('event: connected')) {
          const data = /data: (.*)/.exec(block)?.[1];
          const { connectionId } = JSON.parse(data ?? '{}') as { connectionId?: string };
          const post = request({
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/channels/messages',
            agent: false,
            headers: {
              'Content-Type': 'application/json',
              Authorization: `Bearer ${token}`,
              'X-Channels-Connection': connectionId ?? '',
            },
          });
          post.on('error', () => counts.errors++);
          post.on('response', (answer) => answer.resume());
          post.end(JSON.stringify({ id: 1, event: 'subscribe', data: { channel: 'feed' } }));
        } else if (block.includes('"channel":"feed"')) counts.pushesReceived++;
      }
    });
  });
  req.end();
  return req;
}

const steady = Array.from({ length: 100 }, (_, i) => openWs(`steady-${i}`, () => undefined));
const streams = Array.from({ length: 20 }, (_, i) => openSse(`sse-${i}`));
let n = 0;
const timers = [
  setInterval(() => void channels.publish('feed', 'tick', { n: ++n }), 50),
  setInterval(() => {
    counts.wsSessions++;
    openWs(`churn-${counts.wsSessions % 50}`, (socket) =>
      setTimeout(() => socket.close(1000), Math.random() * 2_000),
    );
  }, 100),
  setInterval(() => {
    counts.sseSessions++;
    streams.shift()?.destroy();
    streams.push(openSse(`sse-${counts.sseSessions % 20}`));
  }, 500),
];

const mb = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));
const samples: Array<{ s: number; rssMB: number; heapMB: number }> = [];
async function sample(): Promise<void> {
  const heap = (globalThis as { gc?: unknown }).gc
    ? await settledHeap()
    : process.memoryUsage().heapUsed;
  const row = {
    s: Math.round((Date.now() - started) / 1000),
    rssMB: mb(process.memoryUsage().rss),
    heapMB: mb(heap),
  };
  samples.push(row);
  process.stdout.write(`${JSON.stringify({ ...row, ...counts })}\n`);
}

const started = Date.now();
await sample();
while (running && Date.now() - started < durationMs) {
  await new Promise((resolve) =>
    setTimeout(resolve, Math.min(sampleMs, durationMs - (Date.now() - started))),
  );
  await sample();
}
running = false;
for (const timer of timers) clearInterval(timer);
for (const socket of steady) socket.close(1000);
for (const stream of streams) stream.destroy();
await new Promise((resolve) => setTimeout(resolve, 1_000));
const idle = (globalThis as { gc?: unknown }).gc
  ? await settledHeap()
  : process.memoryUsage().heapUsed;
await app.close();
process.stdout.write(
  `${JSON.stringify({
    summary: true,
    durationS: Math.round(durationMs / 1000),
    ...counts,
    firstHeapMB: samples[0]!.heapMB,
    lastHeapMB: samples[samples.length - 1]!.heapMB,
    maxRssMB: Math.max(...samples.map((s) => s.rssMB)),
    heapAfterAllLeftMB: mb(idle),
  })}\n`,
);
