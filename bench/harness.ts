// Processes of a benchmark run: contender servers pinned to one core, load clients to the
// other (with `taskset` where there is one), and the HTTP driver that triggers pushes from
// outside the server, one per request, a fixed number in flight.
import type { LoopReadings } from './servers/loop.probe.js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dialect } from './load.client.js';

const here = dirname(fileURLToPath(import.meta.url));
const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return cpus().length >= 2;
  } catch {
    return false;
  }
})();
/** Where the harness runs: the server gets core 0 to itself, clients and driver share core 1. */
export const pinning = hasTaskset ? 'server on CPU 0; clients and driver on CPU 1' : 'no pinning';
if (hasTaskset)
  execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

export const now = () => performance.timeOrigin + performance.now();

/** A child process spoken to over IPC. */
export class Child {
  private readonly inbox: Array<Record<string, unknown>> = [];
  private wake?: () => void;

  constructor(readonly process: ChildProcess) {
    process.on('message', (message: Record<string, unknown>) => {
      this.inbox.push(message);
      this.wake?.();
    });
  }

  send(message: object): void {
    if (this.process.connected) this.process.send(message);
  }

  /** The next message with `op`, skipping others. */
  async next<T = Record<string, unknown>>(op: string, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((m) => m.op === op || m.op === 'failed');
      if (index >= 0) {
        const [message] = this.inbox.splice(index, 1);
        if (message!.op === 'failed') throw new Error(String(message!.error));
        return message as T;
      }
      if (Date.now() > deadline) throw new Error(`no '${op}' within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 1000).unref();
      });
    }
  }

  kill(): void {
    if (this.process.exitCode === null) this.process.kill('SIGKILL');
  }

  /** Kills it at once (a crash); resolves when it is gone. */
  async killed(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGKILL');
    await exited;
  }
}

function spawnPinned(cpu: number, script: string, args: string[], env = {}): ChildProcess {
  // BENCH_CPU_PROF=<dir>: every server writes a `node --cpu-prof` profile there on exit.
  const profile =
    cpu === 0 && process.env.BENCH_CPU_PROF
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`,
          // BENCH_CPU_PROF_INTERVAL=<µs>: finer samples (node's default is 1,000 µs).
          ...(process.env.BENCH_CPU_PROF_INTERVAL
            ? [`--cpu-prof-interval=${process.env.BENCH_CPU_PROF_INTERVAL}`]
            : []),
        ]
      : [];
  const node = [process.execPath, '--expose-gc', ...profile, script, ...args];
  // A raised descriptor limit (up to the hard one) for the connection-heavy scenarios.
  const command = `ulimit -n $(ulimit -Hn); exec ${hasTaskset ? `taskset -c ${cpu} ` : ''}"$@"`;
  return spawn('sh', ['-c', command, 'sh', ...node], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
}

/** Server-side readings: CPU time used so far, RSS, and the event loop's delay. */
export interface ServerStats {
  cpuUs: number;
  rss: number;
  /** The V8 heap in use (after the forced GC when asked for one). */
  heapUsed: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** The loop probe's readings, when it is on (`BENCH_LOOP_PROBE`, see servers/loop.probe.ts). */
  loop?: LoopReadings;
}

/** One server process of a contender. */
export class ServerProcess {
  private constructor(
    private readonly child: Child,
    readonly port: number,
  ) {}

  static async start(entry: string, args: string[], env = {}): Promise<ServerProcess> {
    const child = new Child(spawnPinned(0, entry, args, env));
    const { port } = await child.next<{ port: number }>('listening');
    return new ServerProcess(child, port);
  }

  async stats(gc = false): Promise<ServerStats> {
    this.child.send({ op: 'stats', gc });
    return this.child.next<ServerStats>('stats');
  }

  /** Kills the server at once, as a crash would; resolves when its port is free. */
  crash(): Promise<void> {
    return this.child.killed();
  }

  /** Writes a heap snapshot of the server (after a full GC) to `path`. */
  async snapshot(path: string): Promise<void> {
    this.child.send({ op: 'snapshot', path });
    await this.child.next('snapshot', 300_000);
  }

  /** Asks the server to exit (so a profile gets written), and kills it if it does not. */
  stop(): void {
    this.child.send({ op: 'exit' });
    setTimeout(() => this.child.kill(), 3000).unref();
  }
}

/** A client process of a scenario's own script (in this folder) that says `ready` first. */
export async function startScriptClient(script: string): Promise<Child> {
  const child = new Child(spawnPinned(1, join(here, script), []));
  await child.next('ready');
  return child;
}

/** One load-client process. */
export class ClientProcess {
  private constructor(private readonly child: Child) {}

  static async start(): Promise<ClientProcess> {
    const child = new Child(spawnPinned(1, join(here, 'load.client.js'), []));
    await child.next('ready');
    return new ClientProcess(child);
  }

  async open(dialect: Dialect, port: number, channels: string[], localAddresses: string[]) {
    this.child.send({ op: 'open', dialect, port, channels, localAddresses });
    await this.child.next('opened', 300_000);
  }

  arm(latency: boolean): void {
    this.child.send({ op: 'arm', latency });
  }

  /** Resolves when this client has received `expect` pushes since it was armed. */
  async reached(
    expect: number,
  ): Promise<{ at: number; latencies?: number[]; received: number; bytes: number; cpuUs: number }> {
    this.child.send({ op: 'await', expect });
    return this.child.next('reached', 120_000);
  }

  /** Stops reading on every connection of this client (their TCP sockets are paused). */
  pause(): void {
    this.child.send({ op: 'pause' });
  }

  async echo(durationMs: number, inFlight: number): Promise<number> {
    this.child.send({ op: 'echo', durationMs, inFlight });
    return (await this.child.next<{ answered: number }>('echoed')).answered;
  }

  stop(): void {
    this.child.send({ op: 'close' });
    setTimeout(() => this.child.kill(), 2000).unref();
  }
}

/** How the driver triggers pushes: as fast as `inFlight` allows, or `perSecond` on a clock. */
export interface DriveOptions {
  port: number;
  channels: readonly string[];
  durationMs: number;
  inFlight?: number;
  perSecond?: number;
  /** Pushes sent are a multiple of this (every channel gets as many). */
  multipleOf?: number;
  /** The size of each push's `body` text. @default 150 */
  bodyBytes?: number;
  /** The data of push number `n` (default: a notification with a `body` of `bodyBytes`). */
  data?: (n: number) => object;
}

/** Sends POST /push requests; resolves with how many were answered. */
export async function drive(options: DriveOptions): Promise<number> {
  const inFlight = options.inFlight ?? 8;
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const multiple = options.multipleOf ?? 1;
  const body = 'x'.repeat(options.bodyBytes ?? 150);
  const stopAt = now() + options.durationMs;
  let sent = 0;
  const post = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const channel = options.channels[sent % options.channels.length]!;
      sent++;
      const data = options.data?.(sent) ?? { title: 'Build finished', body, t: now() };
      const payload = JSON.stringify({ channel, data });
      const req = request(
        {
          host: '127.0.0.1',
          port: options.port,
          path: '/push',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const more = () => now() < stopAt || sent === 0 || sent % multiple !== 0;
  if (options.perSecond) {
    const gap = 1000 / options.perSecond;
    const start = now();
    const inflight: Array<Promise<void>> = [];
    while (more()) {
      const due = start + sent * gap;
      const wait = due - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inflight.push(post());
    }
    await Promise.all(inflight);
  } else {
    const lane = async () => {
      while (more()) await post();
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
  }
  agent.destroy();
  return sent;
}
