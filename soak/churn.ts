// Churn: CHURN_SESSIONS (default 30,000) WebSocket sessions with long-lived credentials
// connect, subscribe and close, CHURN_CONCURRENCY (default 16) at a time, against an app in
// this process; the heap after GC is compared with its baseline. Run with node --expose-gc
// (`npm run churn`). Prints one JSON line.
import 'reflect-metadata';
import { WebSocket } from 'ws';
import { settledHeap, startSoakApp } from './soak-app.js';

const sessions = Number(process.env.CHURN_SESSIONS ?? 30_000);
const concurrency = Number(process.env.CHURN_CONCURRENCY ?? 16);
const warmup = Math.min(1_000, sessions);

const { app, port } = await startSoakApp();
const url = `ws://127.0.0.1:${port}/channels`;

/** One session: connect, wait for the welcome, subscribe, close, wait for the close. */
function session(n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, ['channels.v1', `bearer.user-${n % 50}`]);
    socket.on('error', reject);
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { event?: string; id?: number };
      if (frame.event === 'connected')
        socket.send(JSON.stringify({ id: 1, event: 'subscribe', data: { channel: 'feed' } }));
      else if (frame.id === 1) socket.close(1000);
    });
    socket.on('close', () => resolve());
  });
}

async function churn(count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await session(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

await churn(warmup);
const baseline = await settledHeap();
const started = Date.now();
await churn(sessions);
const ms = Date.now() - started;
// Closes settle on the server a moment after the client saw them.
await new Promise((resolve) => setTimeout(resolve, 200));
const after = await settledHeap();
await app.close();
process.stdout.write(
  JSON.stringify({
    sessions,
    ms,
    baselineBytes: baseline,
    afterBytes: after,
    growthBytes: after - baseline,
    bytesPerSession: Number(((after - baseline) / sessions).toFixed(1)),
  }) + '\n',
);
