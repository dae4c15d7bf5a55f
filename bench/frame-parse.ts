// The cost of reading one inbound frame, in this process: the bounds scan (what a frame refused
// by the rate limit costs) and the scan + parse of a 56 KB frame within every bound, without
// and with one "__proto__" key (issue 19: a JSON reviver took the second to ~25x the first).
// The module is loaded from the contender's build, so BENCH_BEFORE compares the old parser.
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Contender } from './contenders.js';
import { median } from './stats.js';

interface ParserModules {
  scanFrame(text: string, limits: object): unknown;
  parseCommand(text: string, limits: object): unknown;
  DEFAULT_FRAME_LIMITS: object;
}

const ZEROS = `[${Array(4_000).fill('0').join(',')}]`;
const frame = (key: string) =>
  `{"id":1,"event":"nope","data":{${Array.from({ length: 7 }, (_, i) => `"a${i}":${ZEROS}`).join(',')},"${key}":{"admin":true}}}`;
const CLEAN = frame('other_key');
const PROTO = frame('__proto__');

async function load(contender: Contender): Promise<ParserModules> {
  // The contender's server script sits in <build>/bench/: the lib is <build>/lib/.
  const lib = join(dirname(dirname(contender.entry)), 'lib/protocol');
  const module = (file: string) => import(pathToFileURL(join(lib, file)).href);
  const [scanner, parser, limits] = await Promise.all([
    module('frame.scanner.js'),
    module('command.parser.js'),
    module('frame.limits.js'),
  ]);
  return { ...scanner, ...parser, ...limits } as ParserModules;
}

/** Microseconds per call of `fn`: the median of 15 batches of 50, after 200 to warm up. */
function microseconds(fn: () => unknown): number {
  for (let i = 0; i < 200; i++) fn();
  const batches: number[] = [];
  for (let b = 0; b < 15; b++) {
    const start = performance.now();
    for (let i = 0; i < 50; i++) fn();
    batches.push(((performance.now() - start) * 1000) / 50);
  }
  return median(batches);
}

/** One round: the three costs, in microseconds per frame. */
export async function frameParseCosts(contender: Contender): Promise<Record<string, number>> {
  const { scanFrame, parseCommand, DEFAULT_FRAME_LIMITS: limits } = await load(contender);
  return {
    scanUs: microseconds(() => scanFrame(PROTO, limits)),
    cleanUs: microseconds(() => parseCommand(CLEAN, limits)),
    protoUs: microseconds(() => parseCommand(PROTO, limits)),
  };
}
