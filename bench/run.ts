// Side-by-side benchmarks: nestjs-channels against Nest's own WsAdapter gateway and a plain
// Socket.IO server, in one run,
// on one machine. They print ratios; no absolute time is a pass or fail anywhere.
import 'reflect-metadata';
import { WebSocket } from 'ws';
import type { Socket } from 'socket.io-client';
import { startBenchApp } from './bench-apps.js';
import { socketIoClients, startSocketIo } from './socket-io.baseline.js';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 200);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 500);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

// A stalled run (a refused connection, a dropped reply) must fail loudly, not hang.
setTimeout(() => {
  console.error('bench: no result within 5 minutes; something stalled');
  process.exit(1);
}, 300_000).unref();

// The welcome can arrive in the same read as the upgrade response, before an `await open()`
// resumes: `ready` attaches its listener before the socket opens.
async function clients(
  url: string,
  n: number,
  ready: (s: WebSocket) => Promise<void>,
): Promise<WebSocket[]> {
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
async function pipeline(
  socket: WebSocket,
  frame: (i: number) => string,
  isAnswer: (f: any) => boolean,
): Promise<void> {
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

function receivedIo(sockets: Socket[], count: number): Promise<void> {
  return Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let seen = 0;
          const onPush = () => {
            if (++seen === count) {
              socket.off('notification', onPush);
              resolve();
            }
          };
          socket.on('notification', onPush);
        }),
    ),
  ).then(() => undefined);
}

/** Socket.IO acknowledgements, 100 in flight, from one socket. */
async function pipelineIo(socket: Socket): Promise<void> {
  let sent = 0;
  let answered = 0;
  await new Promise<void>((resolve) => {
    const send = () => {
      const n = sent++;
      socket.emit('echo', { n }, () => {
        answered++;
        if (sent < REQUESTS) send();
        if (answered === REQUESTS) resolve();
      });
    };
    while (sent < Math.min(100, REQUESTS)) send();
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
  const socketIo = await startSocketIo();
  const ios = await socketIoClients(socketIo.port, SUBSCRIBERS);

  const fanOut = { channels: [] as number[], nest: [] as number[], io: [] as number[] };
  const requests = { channels: [] as number[], nest: [] as number[], io: [] as number[] };
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
    fanOut.io.push(
      await timed(async () => {
        const done = receivedIo(ios, PUSHES);
        for (let i = 0; i < PUSHES; i++) socketIo.broadcast('notification', payload);
        await done;
      }),
    );
    requests.channels.push(
      await timed(() =>
        pipeline(
          ours[0]!,
          (i) => `{"id":${i + 1},"event":"echo","data":{"n":${i}}}`,
          (f) => f.id !== undefined,
        ),
      ),
    );
    requests.nest.push(
      await timed(() =>
        pipeline(
          theirs[0]!,
          (i) => `{"event":"echo","data":{"n":${i}}}`,
          (f) => f.event === 'echo',
        ),
      ),
    );
    requests.io.push(await timed(() => pipelineIo(ios[0]!)));
  }

  const rate = (units: number, ms: number) => ((units / ms) * 1000).toFixed(0).padStart(9);
  const row = (
    name: string,
    times: { channels: number[]; nest: number[]; io: number[] },
    units: number,
  ) => {
    const [ours_, nest_, io_] = [median(times.channels), median(times.nest), median(times.io)];
    console.log(
      `${name.padEnd(36)} nestjs-channels ${rate(units, ours_)}/s | Nest WsAdapter ${rate(units, nest_)}/s ` +
        `(${(nest_ / ours_).toFixed(2)}x) | Socket.IO ${rate(units, io_)}/s (${(io_ / ours_).toFixed(2)}x)`,
    );
  };
  console.log(
    `median of ${ROUNDS} rounds; (Nx) = how many times faster nestjs-channels is than that one`,
  );
  row(`fan-out: ${PUSHES} pushes x ${SUBSCRIBERS} subs`, fanOut, PUSHES * SUBSCRIBERS);
  row(`request/reply: ${REQUESTS}, 100 in flight`, requests, REQUESTS);

  for (const socket of [...ours, ...theirs]) socket.terminate();
  for (const socket of ios) socket.disconnect();
  await Promise.all([app.close(), socketIo.close()]);
}

void main();
