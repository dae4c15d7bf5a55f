// What the bench's redis-server does over a measured window: its own CPU time (INFO cpu:
// getrusage of the whole redis-server process) and the commands it ran (INFO commandstats),
// so the two-node contender is charged for Redis too. Only the contenders that run with
// BENCH_REDIS_URL are measured; for the others every reading is zero.
import { Redis } from 'ioredis';
import type { Contender } from './contenders.js';

/** One reading: redis-server CPU so far, and the calls of every command so far. */
export interface RedisReading {
  cpuUs: number;
  calls: Record<string, number>;
}

/** What a window's pushes cost in Redis, per publish, and the commands behind it. */
export interface RedisWindowCost {
  cpuUs: number;
  /** Every command run, those a Lua script calls included. */
  commands: number;
  /** Scripts run (EVAL, EVALSHA, FCALL): each is one round trip from a node. */
  scripts: number;
  /** Calls per command, for the log. */
  byCommand: Record<string, number>;
}

const SCRIPTS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/** Reads the bench's redis-server for a contender that runs on it (else reads zeros). */
export class RedisMeter {
  private constructor(private readonly client?: Redis) {}

  static async open(contender: Contender): Promise<RedisMeter> {
    const url = process.env.BENCH_REDIS_SERVER;
    const uses = url && contender.env?.(0).BENCH_REDIS_URL;
    return uses ? RedisMeter.connect(url) : new RedisMeter();
  }

  /** Reads the redis-server at `url`. */
  static async connect(url: string): Promise<RedisMeter> {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    return new RedisMeter(client);
  }

  async read(): Promise<RedisReading> {
    if (!this.client) return { cpuUs: 0, calls: {} };
    const text = await this.client.info('cpu', 'commandstats');
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1]);
    const calls: Record<string, number> = {};
    for (const [, name, count] of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
      if (name !== 'info') calls[name!] = Number(count);
    return { cpuUs: (field('used_cpu_user') + field('used_cpu_sys')) * 1e6, calls };
  }

  /** What happened between two readings, divided by `per` (pushes published, say). */
  static cost(start: RedisReading, end: RedisReading, per: number): RedisWindowCost {
    const byCommand: Record<string, number> = {};
    let commands = 0;
    let scripts = 0;
    for (const [name, count] of Object.entries(end.calls)) {
      const calls = count - (start.calls[name] ?? 0);
      if (calls === 0) continue;
      byCommand[name] = calls / per;
      commands += calls;
      if (SCRIPTS.has(name)) scripts += calls;
    }
    return {
      cpuUs: (end.cpuUs - start.cpuUs) / per,
      commands: commands / per,
      scripts: scripts / per,
      byCommand,
    };
  }

  async close(): Promise<void> {
    this.client?.disconnect();
  }
}

/** The redis scenario's columns beside deliveries/s and the nodes' CPU per delivery. */
export const redisMetrics = [
  {
    key: 'cpuWithRedisUsPerDelivery',
    label: 'CPU µs per delivery, nodes + redis-server',
    higher: false,
  },
  { key: 'redisCpuUsPerPush', label: 'redis-server CPU µs per publish', higher: false },
  {
    key: 'redisCommandsPerPush',
    label: 'Redis commands per publish (in scripts too)',
    higher: false,
  },
  { key: 'redisScriptsPerPush', label: 'Lua scripts per publish', higher: false },
];

/** A saturated run's measured window, read on the bench's redis-server (see `saturated`). */
export class RedisWindow {
  private meter?: RedisMeter;
  private first?: RedisReading;
  private name = '';

  async start(contender: Contender): Promise<void> {
    this.name = contender.name;
    this.meter = await RedisMeter.open(contender);
    this.first = await this.meter.read();
  }

  /** The window's Redis columns, given its pushes, deliveries and the nodes' CPU time. */
  async end(window: { pushes: number; deliveries: number; cpuUs: number }) {
    const cost = RedisMeter.cost(this.first!, await this.meter!.read(), window.pushes);
    await this.meter!.close();
    const calls = Object.entries(cost.byCommand).map(([name, n]) => `${name} ${n.toFixed(2)}`);
    if (calls.length > 0)
      console.error(`  ${this.name}, Redis calls per publish: ${calls.join(', ')}`);
    return {
      cpuWithRedisUsPerDelivery: (window.cpuUs + cost.cpuUs * window.pushes) / window.deliveries,
      redisCpuUsPerPush: cost.cpuUs,
      redisCommandsPerPush: cost.commands,
      redisScriptsPerPush: cost.scripts,
    };
  }
}
