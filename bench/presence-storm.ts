// The presence storm, before and after `presence.diff`: 1,000 subscribers join one presence
// channel in 18 waves 50 ms apart (as after a deploy), on one node in memory and on two nodes
// through Redis. Measured from outside: presence frames and bytes the subscribers receive,
// and the servers' CPU from the first join until every subscriber heard of the last one.
// `npm run build && node dist/esm/bench/presence-storm.js [subscribers]`
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { ServerProcess } from './harness.js';
import { RedisMeter } from './redis.meter.js';
import { startBenchRedis } from './redis.process.js';

const here = dirname(fileURLToPath(import.meta.url));
const SUBSCRIBERS = Number(process.argv[2] ?? 1_000);
const WAVES = 18;

interface Subscriber {
  socket: WebSocket;
  presenceFrames: number;
  bytes: number;
  heard: Set<string>;
  answered: boolean;
}

function connect(port: number, user: string, sentinels: string[]): Promise<Subscriber> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/channels`, ['channels.v1'], {
    headers: { Authorization: `Bearer ${user}` },
  });
  const sub: Subscriber = {
    socket,
    presenceFrames: 0,
    bytes: 0,
    heard: new Set(),
    answered: false,
  };
  socket.on('message', (data: Buffer) => {
    const text = data.toString();
    if (text.startsWith('{"id":')) sub.answered = true;
    if (!text.includes('"event":"presence.')) return;
    sub.presenceFrames++;
    sub.bytes += data.length;
    for (const sentinel of sentinels) if (text.includes(`"${sentinel}"`)) sub.heard.add(sentinel);
  });
  return new Promise((resolve, reject) => {
    socket.once('message', () => resolve(sub)); // the welcome
    socket.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function storm(nodes: number): Promise<Record<string, number>> {
  const redis = nodes > 1 ? await startBenchRedis() : undefined;
  const env = redis ? { BENCH_REDIS_URL: redis.url } : {};
  const servers: ServerProcess[] = [];
  for (let i = 0; i < nodes; i++)
    servers.push(await ServerProcess.start(join(here, 'presence-storm.server.js'), [], env));
  const sentinels = servers.map((_, i) => `zed-${i}`);
  try {
    const subs: Subscriber[] = [];
    for (let i = 0; i < SUBSCRIBERS; i += 50)
      subs.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, SUBSCRIBERS - i) }, (_, k) =>
            connect(servers[(i + k) % nodes]!.port, `user-${i + k}`, sentinels),
          ),
        )),
      );
    const cpu = async () =>
      (await Promise.all(servers.map((s) => s.stats()))).reduce((a, b) => a + b.cpuUs, 0);
    const subscribe = (sub: Subscriber, id: number) =>
      sub.socket.send(JSON.stringify({ id, event: 'subscribe', data: { channel: 'room:storm' } }));
    const meter = redis ? await RedisMeter.connect(redis.url) : undefined;
    const redisBefore = await meter?.read();
    const cpuBefore = await cpu();
    const started = performance.now();
    for (let wave = 0; wave < WAVES; wave++) {
      await sleep(started + wave * 50 - performance.now());
      for (let i = wave; i < SUBSCRIBERS; i += WAVES) subscribe(subs[i]!, 1);
    }
    const sentMs = performance.now() - started;
    while (!subs.every((s) => s.answered)) await sleep(10);
    // The sentinels join last, one per node: who heard of both heard of the whole storm.
    const extra = await Promise.all(
      sentinels.map((name, i) => connect(servers[i]!.port, name, [])),
    );
    extra.forEach((sub) => subscribe(sub, 1));
    while (!subs.every((s) => s.heard.size === sentinels.length)) await sleep(10);
    const doneMs = performance.now() - started;
    const cpuMs = ((await cpu()) - cpuBefore) / 1000;
    // Redis's share of the storm, per subscriber that joined (the sentinels counted).
    const redisCost =
      meter && RedisMeter.cost(redisBefore!, await meter.read(), SUBSCRIBERS + nodes);
    await meter?.close();
    if (redisCost) console.error('Redis calls per join:', redisCost.byCommand);
    const frames = subs.map((s) => s.presenceFrames);
    for (const sub of [...subs, ...extra]) sub.socket.terminate();
    return {
      nodes,
      sentMs: Math.round(sentMs),
      settledMs: Math.round(doneMs),
      framesPerSubscriberMax: Math.max(...frames),
      framesTotal: frames.reduce((a, b) => a + b, 0),
      megabytes: +(subs.reduce((a, s) => a + s.bytes, 0) / 1e6).toFixed(1),
      serverCpuMs: Math.round(cpuMs),
      redisCommandsPerJoin: +(redisCost?.commands ?? 0).toFixed(2),
      redisScriptsPerJoin: +(redisCost?.scripts ?? 0).toFixed(2),
      redisCpuUsPerJoin: Math.round(redisCost?.cpuUs ?? 0),
    };
  } finally {
    servers.forEach((s) => s.stop());
    await redis?.stop();
  }
}

const rows = [await storm(1), await storm(2)];
console.log(`presence storm: ${SUBSCRIBERS} subscribers join in ${WAVES} waves 50 ms apart`);
console.table(rows);
process.exit(0);
