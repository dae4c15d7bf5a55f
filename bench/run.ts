// Side-by-side benchmarks: nestjs-channels against Nest's own WsAdapter gateway, in one run,
// on one machine. They print ratios; no absolute time is a pass or fail anywhere.
import 'reflect-metadata';
import { WebSocket } from 'ws';
import { startBenchApp } from './bench-apps.js';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 200);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 500);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

// The welcome can arrive in the same read as the upgrade response, before an `await open()`
// resumes: `ready` attaches its listener before the socket opens.
async function clients(url: string, n: number, ready: (s: WebSocket) => Promise<void>): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i++) {
    const socket = new WebSocket(url);
    const prepared = ready(socket);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    await prepared;
    sockets.push(socket);
  }
  return sockets;
}

function received(sockets: WebSocket[], count: number): Promise<void> {
  return Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let seen = 0;
          const onMessage = () => {
            if (++seen === count) {
              socket.off('message', onMessage);
              resolve();
            }
          };
          socket.on('message', onMessage);
        }),
    ),
  ).then(() => undefined);
}

function reply(socket: WebSocket, match: (frame: any) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      if (match(JSON.parse(data.toString()))) {
        socket.off('message', onMessage);
        resolve();
      }
    };
    socket.on('message', onMessage);
  });
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Requests in flight, 100 at a time, from one socket; resolves when all are answered. */
async function pipeline(socket: WebSocket, frame: (i: number) => string, isAnswer: (f: any) => boolean): Promise<void> {
  let sent = 0;
  let answered = 0;
  await new Promise<void>((resolve) => {
    const onMessage = (data: Buffer) => {
      if (!isAnswer(JSON.parse(data.toString()))) return;
      answered++;
      if (sent < REQUESTS) socket.send(frame(sent++));
      if (answered === REQUESTS) {
        socket.off('message', onMessage);
        resolve();
      }
    };
    socket.on('message', onMessage);
    while (sent < Math.min(100, REQUESTS)) socket.send(frame(sent++));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const { app, port, nest, channels } = await startBenchApp();
  const base = `ws://127.0.0.1:${port}`;
  const payload = { title: 'Build finished', body: 'x'.repeat(200), at: Date.now() };

  const ours = await clients(`${base}/channels`, SUBSCRIBERS, async (socket) => {
    await reply(socket, (f) => f.event === 'connected');
    const subscribed = reply(socket, (f) => f.id === 1);
    socket.send(JSON.stringify({ id: 1, event: 'subscribe', data: { channel: 'bench' } }));
    await subscribed;
  });
  const theirs = await clients(`${base}/nest`, SUBSCRIBERS, async () => undefined);

  const fanOut = { channels: [] as number[], nest: [] as number[] };
  const requests = { channels: [] as number[], nest: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    fanOut.channels.push(
      await timed(async () => {
        const done = received(ours, PUSHES);
        for (let i = 0; i < PUSHES; i++) await channels.publish('bench', 'notification', payload);
        await done;
      }),
    );
    fanOut.nest.push(
      await timed(async () => {
        const done = received(theirs, PUSHES);
        for (let i = 0; i < PUSHES; i++) nest.broadcast('notification', payload);
        await done;
      }),
    );
    requests.channels.push(
      await timed(() => pipeline(ours[0]!, (i) => `{"id":${i + 1},"event":"echo","data":{"n":${i}}}`, (f) => f.id !== undefined)),
    );
    requests.nest.push(
      await timed(() => pipeline(theirs[0]!, (i) => `{"event":"echo","data":{"n":${i}}}`, (f) => f.event === 'echo')),
    );
  }

  const row = (name: string, ourMs: number, theirMs: number, units: number, unit: string) =>
    console.log(
      `${name.padEnd(34)} nestjs-channels ${((units / ourMs) * 1000).toFixed(0).padStart(9)} ${unit}/s   ` +
        `Nest WsAdapter ${((units / theirMs) * 1000).toFixed(0).padStart(9)} ${unit}/s   ratio ${(theirMs / ourMs).toFixed(2)}x`,
    );
  console.log(`median of ${ROUNDS} rounds; ratio > 1 means nestjs-channels is faster`);
  row(`fan-out ${PUSHES} pushes x ${SUBSCRIBERS} subs`, median(fanOut.channels), median(fanOut.nest), PUSHES * SUBSCRIBERS, 'deliveries');
  row(`request/reply, 100 in flight`, median(requests.channels), median(requests.nest), REQUESTS, 'replies');

  for (const socket of [...ours, ...theirs]) socket.terminate();
  await app.close();
}

void main();
