import { startNodeProcess, type NodeProcess } from './node-process.js';

/** How the connections of a storm ended, counted in the client process. */
export interface StormOutcome {
  /** Welcomed (the `connected` frame arrived). */
  welcomed: number;
  /** Refused before the upgrade, by HTTP status. */
  statuses: Record<string, number>;
  /** Closed after the upgrade without a welcome, by close code (1013 is a shed after a 101). */
  closes: Record<string, number>;
  /** Failed on the network (reset, refused). */
  errors: number;
  /** `Retry-After` of every 503, in seconds. */
  retryAfter: number[];
  /** From the first connect to the last outcome, in ms. */
  elapsedMs: number;
}

// The client process: opens `COUNT` WebSockets at once, spread over `ADDRESSES` local
// addresses (each a client IP of its own for the per-IP limits), counts how each ended,
// prints one line `STORM {...}` and keeps the welcomed ones open until it is stopped.
const CLIENT = `
const { WebSocket } = require('ws');
const count = Number(process.env.COUNT);
const addresses = process.env.ADDRESSES.split(',');
const out = { welcomed: 0, statuses: {}, closes: {}, errors: 0, retryAfter: [], elapsedMs: 0 };
const sockets = [];
let settled = 0;
const started = Date.now();
const bump = (map, key) => (map[key] = (map[key] || 0) + 1);
const settle = () => {
  if (++settled < count) return;
  out.elapsedMs = Date.now() - started;
  process.stdout.write('STORM ' + JSON.stringify(out) + '\\n');
};
for (let i = 0; i < count; i++) {
  const socket = new WebSocket(process.env.URL, ['channels.v1'], {
    localAddress: addresses[i % addresses.length],
  });
  sockets.push(socket);
  let done = false;
  const end = (record) => { if (done) return; done = true; record(); settle(); };
  socket.on('message', (data) => {
    if (String(data).includes('"connected"')) end(() => out.welcomed++);
  });
  socket.on('unexpected-response', (_req, res) => {
    end(() => {
      bump(out.statuses, res.statusCode);
      if (res.headers['retry-after']) out.retryAfter.push(Number(res.headers['retry-after']));
    });
    res.resume();
    socket.terminate();
  });
  socket.on('close', (code) => end(() => bump(out.closes, code)));
  socket.on('error', (error) => end(() => { out.errors++; bump(out.closes, 'error ' + (error.code || error.message)); }));
}
process.on('SIGTERM', () => { for (const s of sockets) s.terminate(); process.exit(0); });
`;

/** A storm under way in its own process: its outcome, and the process to stop. */
export interface ConnectStorm {
  readonly outcome: StormOutcome;
  readonly process: NodeProcess;
}

/**
 * Opens `count` WebSockets to `url` as fast as one client process can (it is another
 * machine's load: none of its work is on the tested event loop), from `addresses` local
 * addresses in turn (127.0.0.0/8 on loopback). Resolves once every one has been welcomed or
 * refused; the welcomed stay open until `process.stop()`.
 *
 * @example
 * const storm = await connectStorm(url, 5_000, ['127.0.0.2', '127.0.0.3']);
 * expect(storm.outcome.welcomed).toBe(5_000);
 * await storm.process.stop();
 */
export async function connectStorm(
  url: string,
  count: number,
  addresses: string[],
  timeoutMs = 120_000,
): Promise<ConnectStorm> {
  const child = await startNodeProcess(['-e', CLIENT], {
    ready: /^STORM (\{.*\})$/m,
    cwd: process.cwd(),
    env: { URL: url, COUNT: String(count), ADDRESSES: addresses.join(',') },
    timeoutMs,
  });
  return { outcome: JSON.parse(child.ready[1]!) as StormOutcome, process: child };
}

/**
 * `n` loopback addresses, `127.0.0.<first>` on: each a client IP of its own.
 * @example loopbackAddresses(3) // ['127.0.0.2', '127.0.0.3', '127.0.0.4']
 */
export function loopbackAddresses(n: number, first = 2): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${first + i}`);
}
