// The reconnect storm (issue 21): BENCH_STORM (10,000) clients in two client processes, each
// subscribed to one of 100 channels, on one node; the node is killed and started again on the
// same port, and every client comes back as the SDK would (`storm.client.ts`). Measured from
// the restart (the new process listening): seconds until all are subscribed again, refusals
// (HTTP 503 before the upgrade, 1013 after it, other failures), the server's event-loop delay
// p99 and max over the storm and its CPU time, read in the server process.
import { readFileSync } from 'node:fs';
import type { Contender } from './contenders.js';
import { now, ServerProcess, startScriptClient, type Child } from './harness.js';
import type { Metric, Scenario } from './scenarios.js';
import { percentile } from './stats.js';
import type { StormReport } from './storm.client.js';

const LOCAL = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
/** Longest wait for everyone to come back before the round reports how far it got. */
const BACK_WITHIN_MS = 180_000;

const metrics: Metric[] = [
  { key: 'restartSeconds', label: 'seconds from the kill until listening again', higher: false },
  { key: 'halfBack', label: 'seconds from restart until half subscribed', higher: false },
  { key: 'secondsBack', label: 'seconds from restart until all subscribed', higher: false },
  { key: 'refused503', label: 'HTTP 503 refusals', higher: false },
  { key: 'closed1013', label: '1013 closes', higher: false },
  { key: 'otherFailures', label: 'other failures', higher: false },
  { key: 'lagP99Ms', label: 'event-loop delay p99 ms', higher: false },
  { key: 'lagMaxMs', label: 'event-loop delay max ms', higher: false },
  { key: 'cpuUsPerClient', label: 'server CPU µs per client back', higher: false },
  { key: 'backShare', label: 'share back', higher: true },
  { key: 'listenOverflows', label: 'listen queue overflows (machine-wide)', higher: false },
];

/**
 * The kernel's count of connections dropped because a listen queue was full (Linux, the whole
 * machine): where the other failures (ECONNRESET) of a storm come from.
 */
function listenOverflows(): number {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const names = lines.find((l) => l.startsWith('TcpExt:'))!.split(' ');
    const values = lines.filter((l) => l.startsWith('TcpExt:'))[1]!.split(' ');
    return Number(values[names.indexOf('ListenOverflows')]);
  } catch {
    return NaN;
  }
}

async function back(client: Child): Promise<StormReport> {
  try {
    return await client.next<StormReport>('back', BACK_WITHIN_MS);
  } catch {
    client.send({ op: 'status' });
    return client.next<StormReport>('status');
  }
}

async function storm(contender: Contender): Promise<Record<string, number>> {
  const n = Number(process.env.BENCH_STORM ?? 10_000);
  let server = await ServerProcess.start(contender.entry, contender.args);
  const port = server.port;
  const clients = await Promise.all([0, 1].map(() => startScriptClient('storm.client.js')));
  try {
    const shares = clients.map((_, c) =>
      Array.from({ length: n / clients.length }, (_, i) => `bench:${(i * 2 + c) % 100}`),
    );
    clients.forEach((client, c) =>
      client.send({ op: 'open', port, channels: shares[c], local: LOCAL }),
    );
    await Promise.all(clients.map((client) => client.next('opened', 300_000)));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const client of clients) client.send({ op: 'watch' });
    const overflowsBefore = listenOverflows();
    const killed = now();
    await server.crash();
    server = await ServerProcess.start(contender.entry, contender.args, {
      BENCH_PORT: String(port),
    });
    const restarted = now();
    const before = await server.stats(); // resets the event-loop delay histogram
    const reports = await Promise.all(clients.map(back));
    const after = await server.stats();
    const sum = (key: keyof StormReport) => reports.reduce((s, r) => s + Number(r[key]), 0);
    const backShare = sum('subscribed') / n;
    const reasons = reports.flatMap((r) => Object.entries(r.reasons).map(([k, v]) => `${k} x${v}`));
    if (reasons.length > 0) console.error(`    other failures: ${reasons.join(', ')}`);
    return {
      restartSeconds: (restarted - killed) / 1000,
      halfBack:
        (percentile(
          reports.flatMap((r) => r.backAt),
          50,
        ) -
          restarted) /
        1000,
      secondsBack:
        backShare === 1 ? (Math.max(...reports.map((r) => r.at)) - restarted) / 1000 : NaN,
      refused503: sum('refused503'),
      closed1013: sum('closed1013'),
      otherFailures: sum('otherFailures'),
      lagP99Ms: after.lagP99Ms,
      lagMaxMs: after.lagMaxMs,
      cpuUsPerClient: (after.cpuUs - before.cpuUs) / n,
      backShare,
      listenOverflows: listenOverflows() - overflowsBefore,
    };
  } finally {
    for (const client of clients) client.send({ op: 'close' });
    setTimeout(() => clients.forEach((client) => client.kill()), 2_000).unref();
    server.stop();
  }
}

export const reconnectStorm: Scenario = {
  id: 'reconnect-storm',
  title:
    'reconnect storm: 10,000 subscribed clients (BENCH_STORM), the node killed and restarted on its port, clients back as the SDK would',
  contenders: process.env.BENCH_BEFORE ? ['channels', 'channels-before'] : ['channels'],
  metrics,
  run: storm,
};
