// The four-node run (issue 21; docs/scaling.md checks its capacity model against it): BENCH_NODES
// (4) module nodes through one redis-server the run starts, BENCH_PER_NODE (4,000) connections
// on each: 90% subscribed to the broadcast channel `bench`, 10% members of the presence channel
// `room:1` (in a client process of their own). Pushes are posted over HTTP to the first node
// for BENCH_SECONDS (3) and delivered on all of them. Measured per node (read in its process):
// RSS per connection, CPU per connect (handshake, subscribe or presence join), CPU per
// delivery; and redis-server's CPU and commands (INFO commandstats) per subscribe, per
// presence change and per publish, and the memory of the channel's history.
// `npm run build && node dist/esm/bench/four-nodes.js` (BENCH_NODES=1: the one-node inputs).
import { Redis } from 'ioredis';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientProcess, drive, now, ServerProcess, type ServerStats } from './harness.js';
import { startBenchRedis } from './redis.process.js';

const here = dirname(fileURLToPath(import.meta.url));
const NODES = Number(process.env.BENCH_NODES ?? 4);
const PER_NODE = Number(process.env.BENCH_PER_NODE ?? 4_000);
const MEMBERS = Math.round(PER_NODE / 10);
const SUBSCRIBERS = PER_NODE - MEMBERS;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const LOCAL = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
const repeat = (n: number, channel: string) => Array.from({ length: n }, () => channel);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** redis-server's own readings: calls per command, CPU (user + system) in µs, memory. */
interface RedisReading {
  calls: Record<string, number>;
  cpuUs: number;
  usedMemory: number;
  /** When it was read (ms). */
  at: number;
}

async function readRedis(probe: Redis): Promise<RedisReading> {
  const field = (text: string, name: string) =>
    Number(new RegExp(`${name}:([\\d.]+)`).exec(text)![1]);
  const stats = await probe.info('commandstats');
  const calls: Record<string, number> = {};
  for (const [, command, count] of stats.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g))
    calls[command!] = Number(count);
  const cpu = await probe.info('cpu');
  const memory = await probe.info('memory');
  return {
    calls,
    cpuUs: (field(cpu, 'used_cpu_user') + field(cpu, 'used_cpu_sys')) * 1e6,
    usedMemory: field(memory, 'used_memory'),
    at: now(),
  };
}

/** redis-server's CPU between two readings, less its background (cron) CPU for that time. */
let backgroundUsPerMs = 0;
const redisCpu = (a: RedisReading, b: RedisReading) =>
  b.cpuUs - a.cpuUs - backgroundUsPerMs * (b.at - a.at);

/** Commands run between two readings, per `unit`, leaving out the probe's own INFO. */
function perUnit(a: RedisReading, b: RedisReading, unit: number): string {
  return Object.entries(b.calls)
    .filter(([command]) => command !== 'info')
    .map(([command, calls]) => [command, (calls - (a.calls[command] ?? 0)) / unit] as const)
    .filter(([, n]) => n > 0)
    .map(([command, n]) => `${command} ${n.toFixed(n >= 0.1 ? 2 : 5)}`)
    .join(', ');
}

const redis = await startBenchRedis();
const probe = new Redis(redis.url);
const servers: ServerProcess[] = [];
const clients: ClientProcess[] = [];
try {
  for (let i = 0; i < NODES; i++)
    servers.push(
      await ServerProcess.start(join(here, 'four-nodes.server.js'), [], {
        BENCH_REDIS_URL: redis.url,
      }),
    );
  const subscribers = [await ClientProcess.start(), await ClientProcess.start()];
  const members = await ClientProcess.start();
  clients.push(...subscribers, members);
  const nodeStats = (gc = false) => Promise.all(servers.map((s) => s.stats(gc)));
  // redis-server's own background CPU (its cron), taken out of every phase below.
  const idle = await readRedis(probe);
  await sleep(2_000);
  backgroundUsPerMs = redisCpu(idle, await readRedis(probe)) / 2_000;
  const base = await nodeStats(true);
  const r0 = await readRedis(probe);

  // Subscribers of `bench`, half from each subscriber process, node after node.
  const openStart = now();
  await Promise.all(
    subscribers.map(async (client) => {
      for (const server of servers)
        await client.open('channels', server.port, repeat(SUBSCRIBERS / 2, 'bench'), LOCAL);
    }),
  );
  const r1 = await readRedis(probe);
  // Presence members of `room:1`, on every node.
  for (const server of servers)
    await members.open('channels', server.port, repeat(MEMBERS, 'room:1'), LOCAL);
  const openSeconds = (now() - openStart) / 1000;
  await sleep(1_000); // the last presence window goes out
  const r2 = await readRedis(probe);
  const connected = await nodeStats(true);

  // Deliveries: a warm-up, then BENCH_SECONDS of pushes posted to the first node.
  const expected = (pushes: number) => (pushes * NODES * SUBSCRIBERS) / 2;
  for (const client of subscribers) client.arm(false);
  await drive({ port: servers[0]!.port, channels: ['bench'], durationMs: 0, multipleOf: 20 });
  await Promise.all(subscribers.map((client) => client.reached(expected(20))));
  for (const client of subscribers) client.arm(false);
  const before = await nodeStats();
  const r3 = await readRedis(probe);
  const start = now();
  const sent = await drive({
    port: servers[0]!.port,
    channels: ['bench'],
    durationMs: SECONDS * 1000,
  });
  const reached = await Promise.all(subscribers.map((client) => client.reached(expected(sent))));
  const seconds = (Math.max(...reached.map((r) => r.at)) - start) / 1000;
  const after = await nodeStats();
  const r4 = await readRedis(probe);
  const [stream] = await probe.keys('*{bench}:s');
  const historyBytes = stream ? Number(await probe.memory('USAGE', stream, 'SAMPLES', '0')) : NaN;
  const historyLength = stream ? await probe.xlen(stream) : 0;
  // 100 pushes to each of 20 channels nobody subscribes to: Redis's cost per publish where
  // channels are small (per user), and the memory of a channel's history filled to its size.
  const hist = Array.from({ length: 20 }, (_, i) => `hist:${i}`);
  const r5 = await readRedis(probe);
  const posting = await servers[0]!.stats();
  const histSent = await drive({
    port: servers[0]!.port,
    channels: hist,
    durationMs: 0,
    multipleOf: hist.length * 100,
  });
  const r6 = await readRedis(probe);
  const posted = await servers[0]!.stats();

  const perNodeDeliveries = sent * SUBSCRIBERS;
  const row = (i: number, b: ServerStats, c: ServerStats, d: ServerStats, e: ServerStats) =>
    `| ${i + 1} | ${((c.rss - b.rss) / 1024 / PER_NODE).toFixed(2)} | ${((c.heapUsed - b.heapUsed) / 1024 / PER_NODE).toFixed(2)} | ${((c.cpuUs - b.cpuUs) / PER_NODE).toFixed(0)} | ${((e.cpuUs - d.cpuUs) / perNodeDeliveries).toFixed(2)} | ${e.lagMaxMs.toFixed(0)} |`;
  const sum = (all: ServerStats[]) => all.reduce((s, x) => s + x.cpuUs, 0);
  const joins = NODES * MEMBERS;
  console.log(
    [
      `# four-node run: ${NODES} node(s) through Redis, ${PER_NODE.toLocaleString('en')} connections each (${SUBSCRIBERS} on \`bench\`, ${MEMBERS} presence members of \`room:1\`)`,
      '',
      `${new Date().toISOString()}; opened in ${openSeconds.toFixed(1)} s; ${sent} pushes posted to node 1 in ${SECONDS} s, ${(sent * NODES * SUBSCRIBERS).toLocaleString('en')} deliveries, ${Math.round((sent * NODES * SUBSCRIBERS) / seconds).toLocaleString('en')} deliveries/s`,
      '',
      '| node | RSS KB per connection | heap KB per connection | CPU µs per connect | CPU µs per delivery | event-loop delay max ms (pushes) |',
      '|---:|---:|---:|---:|---:|---:|',
      ...servers.map((_, i) => row(i, base[i]!, connected[i]!, before[i]!, after[i]!)),
      `| all | | | ${((sum(connected) - sum(base)) / (NODES * PER_NODE)).toFixed(0)} | ${((sum(after) - sum(before)) / (NODES * perNodeDeliveries)).toFixed(2)} | |`,
      '',
      '| redis-server | CPU µs per unit | commands per unit (INFO commandstats) |',
      '|---|---:|---|',
      `| per subscribe (${(NODES * SUBSCRIBERS).toLocaleString('en')}) | ${(redisCpu(r0, r1) / (NODES * SUBSCRIBERS)).toFixed(2)} | ${perUnit(r0, r1, NODES * SUBSCRIBERS)} |`,
      `| per presence change (${joins.toLocaleString('en')} joins) | ${(redisCpu(r1, r2) / joins).toFixed(2)} | ${perUnit(r1, r2, joins)} |`,
      `| per publish to \`bench\` (${sent}) | ${(redisCpu(r3, r4) / sent).toFixed(1)} | ${perUnit(r3, r4, sent)} |`,
      `| per publish to a channel without subscribers (${histSent}) | ${(redisCpu(r5, r6) / histSent).toFixed(1)} | ${perUnit(r5, r6, histSent)} |`,
      '',
      `Node 1 CPU per push posted to a channel without subscribers (the request, the publish, no delivery): ${((posted.cpuUs - posting.cpuUs) / histSent).toFixed(0)} µs.`,
      '',
      `redis-server background CPU (taken out above): ${(backgroundUsPerMs * 1000).toFixed(0)} µs/s.`,
      '',
      `Node RSS before any connection (after a full GC): ${base.map((b) => (b.rss / 2 ** 20).toFixed(0)).join(', ')} MB.`,
      '',
      `History: ${((r6.usedMemory - r5.usedMemory) / hist.length / 1024).toFixed(1)} KiB per channel of ${histSent / hist.length} pushes (used_memory grown over the ${hist.length} \`hist:*\` channels); \`bench\`: ${historyLength} pushes kept, ${(historyBytes / 1024).toFixed(1)} KiB (MEMORY USAGE of ${stream}); used_memory ${(r4.usedMemory / 2 ** 20).toFixed(1)} MiB.`,
    ].join('\n'),
  );
} finally {
  for (const client of clients) client.stop();
  for (const server of servers) server.stop();
  probe.disconnect();
  await sleep(500);
  await redis.stop();
  process.exit(0);
}
