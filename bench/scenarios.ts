// The scenarios: what each measures on one contender in one round. Every number comes from
// outside the server (clients in other processes, pushes over HTTP) except the server's own
// CPU time and RSS, read in its process.
import type { Contender } from './contenders.js';
import { frameParseCosts } from './frame-parse.js';
import { ClientProcess, drive, now, ServerProcess, type ServerStats } from './harness.js';
import { redisMetrics, RedisWindow } from './redis.meter.js';
import { reconnectStorm } from './reconnect-storm.scenario.js';
import { percentile } from './stats.js';
import { wire } from './wire.scenario.js';

/** A metric of a scenario; `higher` says which way is better. */
export interface Metric {
  key: string;
  label: string;
  higher: boolean;
}

export interface Scenario {
  id: string;
  title: string;
  contenders: string[];
  /** The contender the ratios are taken against others from (default `channels`). */
  reference?: string;
  metrics: Metric[];
  run(contender: Contender): Promise<Record<string, number>>;
}

const LOCAL = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
const quick = process.env.BENCH_QUICK === '1' || process.argv.includes('quick');
const SECONDS = Number(process.env.BENCH_SECONDS ?? (quick ? 2 : 3));
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 50);
/** The slow-readers scenario's length: 30 s as issue 22 asks, 5 s in a quick run. */
const SLOW_SECONDS = Number(process.env.BENCH_SLOW_SECONDS ?? (quick ? 5 : 30));
/** Its push rate and the size of each push's body. */
const SLOW_RATE = Number(process.env.BENCH_SLOW_RATE ?? 200);
const SLOW_BODY = Number(process.env.BENCH_SLOW_BODY ?? 1024);

/**
 * 1,000 subscribers of a `latest` channel, 200 pushes/s of ~1 kB for SLOW_SECONDS; `slow` of
 * them (in a client process of their own) stop reading first. Deliveries/s and latency of the
 * 900 that read, and the server's RSS at the end (what the slow ones hold).
 */
async function slowReaders(contender: Contender, slow: number) {
  const server = await ServerProcess.start(contender.entry, contender.args, {
    BENCH_MAX_BUFFERED_BYTES: String(1024 * 1024),
  });
  const readers = await Promise.all([ClientProcess.start(), ClientProcess.start()]);
  const sleeper = await ClientProcess.start();
  try {
    for (const reader of readers)
      await reader.open(contender.dialect, server.port, repeat(450, 'ticker'), LOCAL);
    await sleeper.open(contender.dialect, server.port, repeat(100, 'ticker'), LOCAL);
    if (slow > 0) sleeper.pause();
    for (const reader of readers) reader.arm(true);
    const start = now();
    await drive({
      port: server.port,
      channels: ['ticker'],
      durationMs: SLOW_SECONDS * 1000,
      perSecond: SLOW_RATE,
      bodyBytes: SLOW_BODY,
    });
    // A reader that fell behind is conflated too (the channel is `latest`): what each received
    // in the run and a second after it is counted, not a total it may never reach.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const reached = await Promise.all(readers.map((reader) => reader.reached(0)));
    const seconds = (now() - start) / 1000;
    const received = reached.reduce((sum, r) => sum + r.received, 0);
    const latencies = reached.flatMap((r) => r.latencies ?? []);
    const stats = await server.stats(true);
    return {
      deliveriesPerS: received / seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      rssMb: stats.rss / 1024 / 1024,
    };
  } finally {
    for (const client of [...readers, sleeper]) client.stop();
    server.stop();
  }
}

const slowMetrics: Metric[] = [
  { key: 'deliveriesPerS', label: 'deliveries/s to the 900', higher: true },
  { key: 'p50Ms', label: 'their p50 ms', higher: false },
  { key: 'p99Ms', label: 'their p99 ms', higher: false },
  { key: 'rssMb', label: 'server RSS MB', higher: false },
];

/** Servers and clients of one measurement, subscribed to `channels` (one entry a connection). */
async function setUp(contender: Contender, channels: string[], clientCount: number) {
  const nodes = contender.nodes ?? 1;
  const servers: ServerProcess[] = [];
  for (let i = 0; i < nodes; i++)
    servers.push(await ServerProcess.start(contender.entry, contender.args, contender.env?.(i)));
  const clients = await Promise.all(Array.from({ length: clientCount }, ClientProcess.start));
  // Connection i goes to client i % clientCount and node i % nodes.
  const shares: number[][] = clients.map(() => []);
  channels.forEach((_, i) => shares[i % clientCount]!.push(i));
  await Promise.all(
    clients.map(async (client, c) => {
      for (let node = 0; node < nodes; node++) {
        const mine = shares[c]!.filter((i) => i % nodes === node).map((i) => channels[i]!);
        if (mine.length > 0) await client.open(contender.dialect, servers[node]!.port, mine, LOCAL);
      }
    }),
  );
  const stats = async (gc = false): Promise<ServerStats> => {
    const all = await Promise.all(servers.map((s) => s.stats(gc)));
    return all.reduce((a, b) => ({
      cpuUs: a.cpuUs + b.cpuUs,
      rss: a.rss + b.rss,
      heapUsed: a.heapUsed + b.heapUsed,
      lagP99Ms: Math.max(a.lagP99Ms, b.lagP99Ms),
      lagMaxMs: Math.max(a.lagMaxMs, b.lagMaxMs),
    }));
  };
  // Per client: how many pushes to expect when every channel got `perChannel`.
  const expected = (perChannel: number) => shares.map((s) => s.length * perChannel);
  const tearDown = () => {
    for (const client of clients) client.stop();
    for (const server of servers) server.stop();
  };
  return { port: servers[0]!.port, servers, clients, stats, expected, tearDown };
}

/** Pushes as fast as 8 requests in flight allow; deliveries/s and server CPU per delivery. */
async function saturated(
  contender: Contender,
  channels: string[],
  distinct: string[],
  redis?: RedisWindow,
) {
  const s = await setUp(contender, channels, 2);
  try {
    const warm = distinct.length * Math.max(1, Math.ceil(20 / distinct.length));
    for (const c of s.clients) c.arm(false);
    await drive({ port: s.port, channels: distinct, durationMs: 0, multipleOf: warm });
    await Promise.all(s.clients.map((c, i) => c.reached(s.expected(warm / distinct.length)[i]!)));
    for (const c of s.clients) c.arm(false);
    const before = await s.stats();
    await redis?.start(contender);
    const start = now();
    const sent = await drive({
      port: s.port,
      channels: distinct,
      durationMs: SECONDS * 1000,
      multipleOf: distinct.length,
    });
    const per = sent / distinct.length;
    const reached = await Promise.all(s.clients.map((c, i) => c.reached(s.expected(per)[i]!)));
    const end = Math.max(...reached.map((r) => r.at));
    const after = await s.stats();
    const deliveries = per * channels.length;
    const cpuUs = after.cpuUs - before.cpuUs;
    return {
      deliveriesPerSec: deliveries / ((end - start) / 1000),
      cpuUsPerDelivery: cpuUs / deliveries,
      ...(await redis?.end({ pushes: sent, deliveries, cpuUs })),
    };
  } finally {
    s.tearDown();
  }
}

const fanOutMetrics: Metric[] = [
  { key: 'deliveriesPerSec', label: 'deliveries/s', higher: true },
  { key: 'cpuUsPerDelivery', label: 'server CPU µs per delivery', higher: false },
];
const WS_ALL = ['ws-naive', 'ws-floor', 'socket.io', 'nest-ws', 'channels'];
const withBefore = (ids: string[]) =>
  process.env.BENCH_BEFORE ? [...ids, 'channels-before'] : ids;
const repeat = (n: number, channel: string) => Array.from({ length: n }, () => channel);

export const SCENARIOS: Scenario[] = [
  reconnectStorm,
  {
    id: 'slow-latest',
    title: `slow readers of a latest channel: 1,000 subscribers, 100 of them stop reading, ${SLOW_RATE} pushes/s (body ${SLOW_BODY} B) for ${SLOW_SECONDS} s, against the same run with nobody slow`,
    contenders: ['channels'],
    metrics: [
      ...slowMetrics.map((m) => ({ ...m, key: `none.${m.key}`, label: `nobody slow: ${m.label}` })),
      ...slowMetrics.map((m) => ({ ...m, key: `slow.${m.key}`, label: `100 slow: ${m.label}` })),
    ],
    async run(contender) {
      const none = await slowReaders(contender, 0);
      const slow = await slowReaders(contender, 100);
      const keyed = (prefix: string, values: Record<string, number>) =>
        Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}.${k}`, v]));
      return { ...keyed('none', none), ...keyed('slow', slow) };
    },
  },
  {
    id: 'fanout',
    title: 'saturated fan-out: 1 channel, 1,000 subscribers, pushes over HTTP, 8 in flight',
    contenders: withBefore(WS_ALL),
    metrics: fanOutMetrics,
    run: (c) => saturated(c, repeat(1000, 'bench'), ['bench']),
  },
  {
    // Needs a redis-server (run.ts starts one); the 2 nodes share the server CPU.
    id: 'redis',
    title: 'saturated fan-out over 2 nodes through Redis: 1 channel, 1,000 subscribers',
    // channels-redis-before: with BENCH_BEFORE (run.ts keeps only the contenders that exist).
    contenders: ['channels', 'channels-redis', 'channels-redis-before'],
    reference: 'channels-redis',
    metrics: [...fanOutMetrics, ...redisMetrics],
    run: (c) => saturated(c, repeat(1000, 'bench'), ['bench'], new RedisWindow()),
  },
  {
    id: 'metrics',
    title: 'saturated fan-out with the metrics module on and off: 1 channel, 1,000 subscribers',
    contenders: ['channels', 'channels-metrics'],
    reference: 'channels-metrics',
    metrics: fanOutMetrics,
    run: (c) => saturated(c, repeat(1000, 'bench'), ['bench']),
  },
  {
    id: 'tracing',
    title:
      'saturated fan-out with the tracing module on (every span recorded) and not imported: 1 channel, 1,000 subscribers',
    contenders: ['channels', 'channels-tracing'],
    reference: 'channels-tracing',
    metrics: fanOutMetrics,
    run: (c) => saturated(c, repeat(1000, 'bench'), ['bench']),
  },
  {
    id: 'paced',
    title: `paced fan-out: ${PACED_RATE} pushes/s to 1 channel of 1,000 subscribers, push-to-client latency`,
    contenders: withBefore(WS_ALL),
    metrics: [
      { key: 'p50Ms', label: 'latency p50 ms', higher: false },
      { key: 'p99Ms', label: 'latency p99 ms', higher: false },
    ],
    async run(contender) {
      const s = await setUp(contender, repeat(1000, 'bench'), 2);
      try {
        for (const c of s.clients) c.arm(true);
        const sent = await drive({
          port: s.port,
          channels: ['bench'],
          durationMs: SECONDS * 1000 + 1000,
          perSecond: PACED_RATE,
        });
        const reached = await Promise.all(s.clients.map((c, i) => c.reached(s.expected(sent)[i]!)));
        const latencies = reached.flatMap((r) => r.latencies ?? []);
        return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
      } finally {
        s.tearDown();
      }
    },
  },
  {
    id: 'rooms',
    title: '100 channels of 10 subscribers, pushes round-robin over the channels',
    contenders: WS_ALL,
    metrics: fanOutMetrics,
    run(c) {
      const names = Array.from({ length: 100 }, (_, i) => `bench:${i}`);
      return saturated(
        c,
        names.flatMap((n) => repeat(10, n)),
        names,
      );
    },
  },
  {
    id: 'inbound',
    title:
      'inbound commands: guard + DTO validation (+ rate limit here) + reply; 10 sockets x 8 in flight',
    contenders: withBefore(['nest-ws', 'socket.io', 'channels']),
    metrics: [
      { key: 'commandsPerSec', label: 'commands/s', higher: true },
      { key: 'cpuUsPerCommand', label: 'server CPU µs per command', higher: false },
    ],
    async run(contender) {
      const s = await setUp(contender, repeat(10, ''), 1);
      try {
        await s.clients[0]!.echo(300, 8); // warm-up
        const before = await s.stats();
        const start = now();
        const answered = await s.clients[0]!.echo(SECONDS * 1000, 8);
        const seconds = (now() - start) / 1000;
        const after = await s.stats();
        return {
          commandsPerSec: answered / seconds,
          cpuUsPerCommand: (after.cpuUs - before.cpuUs) / answered,
        };
      } finally {
        s.tearDown();
      }
    },
  },
  {
    id: 'frame-parse',
    title:
      'reading a 56 KB frame within every bound (28,000 numbers), in-process: the scan alone (a frame refused by the rate limit), and scan + parse without and with one "__proto__" key',
    contenders: withBefore(['channels']),
    metrics: [
      { key: 'scanUs', label: 'scan µs', higher: false },
      { key: 'cleanUs', label: 'parse µs, no such key', higher: false },
      { key: 'protoUs', label: 'parse µs, one "__proto__"', higher: false },
    ],
    run: frameParseCosts,
  },
  {
    id: 'idle',
    title: 'idle connections: 5,000 connected (no subscription), RSS and CPU per connect',
    contenders: withBefore(['ws-naive', 'socket.io', 'nest-ws', 'channels']),
    metrics: [
      { key: 'rssKbPerConnection', label: 'RSS KB per connection', higher: false },
      { key: 'heapKbPerConnection', label: 'heap KB per connection', higher: false },
      { key: 'cpuUsPerConnect', label: 'server CPU µs per connect', higher: false },
    ],
    async run(contender) {
      const n = Number(process.env.BENCH_IDLE ?? 5000);
      const server = await ServerProcess.start(contender.entry, contender.args);
      const clients = await Promise.all([ClientProcess.start(), ClientProcess.start()]);
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const before = await server.stats(true);
        const half = repeat(n / 2, '');
        await Promise.all(clients.map((c) => c.open(contender.dialect, server.port, half, LOCAL)));
        const cpu = (await server.stats()).cpuUs - before.cpuUs;
        await new Promise((resolve) => setTimeout(resolve, 500));
        const after = await server.stats(true);
        return {
          rssKbPerConnection: (after.rss - before.rss) / 1024 / n,
          heapKbPerConnection: (after.heapUsed - before.heapUsed) / 1024 / n,
          cpuUsPerConnect: cpu / n,
        };
      } finally {
        for (const c of clients) c.stop();
        server.stop();
      }
    },
  },
  {
    id: 'sse',
    title: 'SSE fan-out: 1 channel, 1,000 SSE streams, against the same over WebSocket',
    contenders: ['channels', 'channels-sse'],
    reference: 'channels-sse',
    metrics: fanOutMetrics,
    run: (c) => saturated(c, repeat(1000, 'bench'), ['bench']),
  },
  ...[1000, 2500, 5000, 10000].map((n): Scenario => ({
    id: `curve-${n}`,
    title: `cost curve: 1 channel, ${n.toLocaleString('en')} subscribers`,
    contenders: withBefore(['ws-naive', 'ws-floor', 'channels']),
    metrics: fanOutMetrics,
    run: (c) => saturated(c, repeat(n, 'bench'), ['bench']),
  })),
  {
    id: 'wire',
    title:
      'fewer bytes on the wire: a 5 KB dashboard changing ~5% a push, 20 pushes/s to 1,000 subscribers',
    contenders: ['channels-json', 'channels-msgpack', 'channels-deflate', 'channels-delta'],
    reference: 'channels-json',
    metrics: [
      { key: 'bytesPerDelivery', label: 'bytes on the wire per delivery', higher: false },
      { key: 'serverCpuUs', label: 'server CPU µs per delivery', higher: false },
      { key: 'clientCpuUs', label: 'client CPU µs per delivery (decode)', higher: false },
    ],
    run: wire,
  },
  {
    // Opt-in (`npm run bench -- idle-heavy`): it needs a descriptor limit above the count
    // (`ulimit -Hn`), and spreads clients over 127.0.0.1-4 for enough source ports.
    id: 'idle-heavy',
    title:
      'many idle connections with heartbeats on (BENCH_IDLE_HEAVY, default 50,000; heartbeat 5 s)',
    contenders: withBefore(['channels']),
    metrics: [
      { key: 'connections', label: 'connections held', higher: true },
      { key: 'rssKbPerConnection', label: 'RSS KB per connection', higher: false },
      { key: 'lagP99Ms', label: 'event-loop delay p99 ms', higher: false },
      { key: 'lagMaxMs', label: 'event-loop delay max ms', higher: false },
      { key: 'turnCpuMaxMs', label: 'most CPU ms in one turn', higher: false },
      { key: 'turnsOver6Ms', label: 'turns over 6 ms CPU', higher: false },
      { key: 'gcMaxMs', label: 'longest GC pause ms', higher: false },
    ],
    async run(contender) {
      const n = Number(process.env.BENCH_IDLE_HEAVY ?? 50_000);
      const env = {
        BENCH_HEARTBEAT_MS: process.env.BENCH_HEARTBEAT_MS ?? '5000',
        BENCH_LOOP_PROBE: '1',
      };
      const server = await ServerProcess.start(contender.entry, contender.args, env);
      const clients = await Promise.all(Array.from({ length: 4 }, ClientProcess.start));
      try {
        const before = await server.stats(true);
        const quarter = repeat(n / 4, '');
        await Promise.all(
          clients.map((c) => c.open(contender.dialect, server.port, quarter, LOCAL)),
        );
        await server.stats(); // resets the event-loop delay histogram
        await new Promise((resolve) => setTimeout(resolve, 12_000)); // two heartbeat rounds
        const after = await server.stats(true);
        return {
          connections: n,
          rssKbPerConnection: (after.rss - before.rss) / 1024 / n,
          lagP99Ms: after.lagP99Ms,
          lagMaxMs: after.lagMaxMs,
          ...after.loop,
        };
      } finally {
        for (const c of clients) c.stop();
        server.stop();
      }
    },
  },
];
