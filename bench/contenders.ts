// The contenders. Each runs in its own server process(es); `dialect` is how load clients
// speak to it (see load.client.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dialect } from './load.client.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A server under test. */
export interface Contender {
  /** Its name in the tables. */
  name: string;
  dialect: Dialect;
  /** The server script and its arguments. */
  entry: string;
  args: string[];
  /**
   * Server processes it runs on (default 1). With more, subscribers are spread over them
   * round-robin, pushes are posted to the first, and CPU is summed over all of them.
   */
  nodes?: number;
  env?: (node: number) => Record<string, string>;
}

const main = join(here, 'server.main.js');

export const CONTENDERS: Record<string, Contender> = {
  'ws-naive': { name: 'raw ws, naive', dialect: 'ws-raw', entry: main, args: ['ws-naive'] },
  'ws-floor': {
    name: 'raw ws, frame once + flush per turn',
    dialect: 'ws-raw',
    entry: main,
    args: ['ws-floor'],
  },
  'socket.io': { name: 'Socket.IO 4', dialect: 'socket.io', entry: main, args: ['socket.io'] },
  'nest-ws': { name: 'Nest platform-ws gateway', dialect: 'nest', entry: main, args: ['nest-ws'] },
  channels: { name: 'nestjs-channels', dialect: 'channels', entry: main, args: ['channels'] },
  'channels-sse': {
    name: 'nestjs-channels, SSE',
    dialect: 'sse',
    entry: main,
    args: ['channels-sse'],
  },
  // Two nodes of the module through one redis-server that run.ts starts (BENCH_REDIS_SERVER).
  'channels-redis': {
    name: 'nestjs-channels, 2 nodes (Redis)',
    dialect: 'channels',
    entry: main,
    args: ['channels'],
    nodes: 2,
    env: () => ({ BENCH_REDIS_URL: process.env.BENCH_REDIS_SERVER ?? '' }),
  },
  // The module with ChannelsMetricsModule imported (issue 11): the cost of the metrics.
  'channels-tracing': {
    name: 'nestjs-channels, tracing on',
    dialect: 'channels',
    entry: main,
    args: ['channels'],
    env: () => ({ CHANNELS_TRACING: 'on' }),
  },
  'channels-metrics': {
    name: 'nestjs-channels, metrics on',
    dialect: 'channels',
    entry: main,
    args: ['channels'],
    env: () => ({ CHANNELS_METRICS: 'on' }),
  },
  // Issue 23: the same module with fewer bytes on the wire (the `wire` scenario), its
  // clients decoding every push (the `channels` contender's only count them).
  'channels-json': {
    name: 'nestjs-channels, JSON',
    dialect: 'channels-json',
    entry: main,
    args: ['channels'],
  },
  'channels-msgpack': {
    name: 'nestjs-channels, MessagePack',
    dialect: 'channels-msgpack',
    entry: main,
    args: ['channels'],
  },
  'channels-deflate': {
    name: 'nestjs-channels, JSON + permessage-deflate',
    dialect: 'channels-deflate',
    entry: main,
    args: ['channels'],
    env: () => ({ BENCH_COMPRESSION: '1' }),
  },
  'channels-delta': {
    name: 'nestjs-channels, JSON + Fossil deltas',
    dialect: 'channels-delta',
    entry: main,
    args: ['channels'],
  },
};

// The module as it was before a change, built elsewhere (see BENCHMARKS.md): the same bench
// server compiled against the old lib, for before/after in one interleaved run.
if (process.env.BENCH_BEFORE) {
  CONTENDERS['channels-before'] = {
    name: 'nestjs-channels (before)',
    dialect: 'channels',
    entry: join(process.env.BENCH_BEFORE, 'bench/server.main.js'),
    args: ['channels'],
  };
  CONTENDERS['channels-redis-before'] = {
    ...CONTENDERS['channels-redis']!,
    name: 'nestjs-channels, 2 nodes (Redis) (before)',
    entry: join(process.env.BENCH_BEFORE, 'bench/server.main.js'),
  };
}
