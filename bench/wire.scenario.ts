// Issue 23, `npm run bench -- wire`: a 5 KB JSON dashboard pushed to 1,000 subscribers, about
// 5% of its values changing each push, paced, to JSON, MessagePack and deflate subscribers.
// Bytes on the wire per delivery are what the clients' sockets read (frame headers included);
// server CPU per delivery is the server process's; client CPU per delivery is the load clients'
// (ws framing, inflate, and the decode every push gets here: JSON.parse or MessagePack).
import type { Contender } from './contenders.js';
import { ClientProcess, drive, ServerProcess } from './harness.js';

const SUBSCRIBERS = 1000;
const RATE = Number(process.env.BENCH_WIRE_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROWS = 36;

/**
 * Push number `n` of the dashboard: 36 services with their state and 4 gauges (about 5 KB of
 * JSON); from one push to the next, 2 services change (about 5% of it).
 */
export function dashboard(n: number): object {
  const rows = [];
  for (let i = 0; i < ROWS; i++) {
    // A row changes at push n when (i + n) % 18 === 0: 2 of the 36 rows a push.
    const version = Math.floor((n + (ROWS - i)) / 18);
    rows.push({
      id: `service-${i}`,
      name: `Service number ${i}`,
      region: ['eu-west-1', 'us-east-1', 'ap-south-1'][i % 3],
      state: (i + version) % 11 === 0 ? 'degraded' : 'healthy',
      cpu: (i * 7 + version * 13) % 100,
      memoryMb: 512 + ((i * 31 + version * 17) % 1024),
      requestsPerSec: 1000 + ((i * 97 + version * 89) % 9000),
      p99Ms: 20 + ((i * 3 + version * 5) % 180),
    });
  }
  return { generatedAt: 1_700_000_000_000 + Math.floor(n / 18) * 1000, rows };
}

/** One round of one contender: bytes, server CPU and client CPU per delivery. */
export async function wire(contender: Contender): Promise<Record<string, number>> {
  const server = await ServerProcess.start(contender.entry, contender.args, contender.env?.(0));
  const clients = await Promise.all([0, 1].map(() => ClientProcess.start()));
  try {
    const half = Array.from({ length: SUBSCRIBERS / 2 }, () => 'bench');
    await Promise.all(
      clients.map((c) => c.open(contender.dialect, server.port, half, ['127.0.0.1'])),
    );
    const post = (pushes: number, from: number) =>
      drive({
        port: server.port,
        channels: ['bench'],
        durationMs: 0,
        perSecond: RATE,
        multipleOf: pushes,
        data: (n) => dashboard(from + n),
      });
    for (const c of clients) c.arm(false);
    await post(10, 0); // warm up
    await Promise.all(clients.map((c) => c.reached((SUBSCRIBERS / 2) * 10)));
    const pushes = RATE * SECONDS;
    for (const c of clients) c.arm(false);
    const before = await server.stats();
    await post(pushes, 10);
    const reached = await Promise.all(clients.map((c) => c.reached((SUBSCRIBERS / 2) * pushes)));
    const after = await server.stats();
    const deliveries = SUBSCRIBERS * pushes;
    return {
      bytesPerDelivery: reached.reduce((sum, r) => sum + r.bytes, 0) / deliveries,
      serverCpuUs: (after.cpuUs - before.cpuUs) / deliveries,
      clientCpuUs: reached.reduce((sum, r) => sum + r.cpuUs, 0) / deliveries,
    };
  } finally {
    for (const c of clients) c.stop();
    server.stop();
  }
}
