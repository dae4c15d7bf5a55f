// `npm run bench [-- <scenario|quick|all> ...]`: contenders side by side, interleaved over
// rounds (each round runs every contender once, in a rotated order), with per-round ratios
// and medians. Clients run in their own processes, pushes arrive over HTTP from outside.
// Environment: BENCH_ROUNDS (3), BENCH_SECONDS (3; 2 when quick), BENCH_CONTENDERS (a comma
// list to keep), BENCH_BEFORE (a build of the module before a change, see BENCHMARKS.md),
// BENCH_OUT (a JSON file for the raw results). No number here is a pass or fail.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { CONTENDERS } from './contenders.js';
import { pinning } from './harness.js';
import { startBenchRedis } from './redis.process.js';
import { SCENARIOS, type Scenario } from './scenarios.js';
import { median } from './stats.js';

const args = process.argv.slice(2);
const QUICK = ['fanout', 'paced', 'inbound'];
// `all` (the default) is every scenario but the opt-in `idle-heavy`, `reconnect-storm` (both
// need thousands of descriptors) and `slow-latest` (a minute a round: `npm run bench -- slow-latest`).
const OPT_IN = ['idle-heavy', 'reconnect-storm', 'slow-latest'];
const ALL = SCENARIOS.map((s) => s.id).filter((id) => !OPT_IN.includes(id));
const wanted = args.length === 0 ? ['all'] : args;
const ids = wanted.flatMap((a) =>
  a === 'all'
    ? ALL
    : a === 'quick'
      ? QUICK
      : a === 'curve'
        ? SCENARIOS.filter((s) => s.id.startsWith('curve')).map((s) => s.id)
        : [a],
);
const unknown = ids.filter((id) => !SCENARIOS.some((s) => s.id === id));
if (unknown.length > 0) {
  console.error(
    `unknown scenario(s) ${unknown.join(', ')}; one of quick, all, curve, ${SCENARIOS.map((s) => s.id).join(', ')}`,
  );
  process.exit(2);
}
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const keep = process.env.BENCH_CONTENDERS?.split(',');

type Rounds = Record<string, Array<Record<string, number>>>;

async function runScenario(scenario: Scenario): Promise<Rounds> {
  const names = scenario.contenders.filter((c) => CONTENDERS[c] && (!keep || keep.includes(c)));
  const results: Rounds = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) {
      const result = await scenario.run(CONTENDERS[name]!);
      results[name]!.push(result);
      const shown = Object.entries(result).map(([k, v]) => `${k}=${v.toFixed(2)}`);
      console.error(`  ${scenario.id} round ${round + 1} ${name}: ${shown.join(' ')}`);
    }
  }
  return results;
}

const fmt = (v: number) =>
  !Number.isFinite(v)
    ? '-'
    : v >= 1000
      ? Math.round(v).toLocaleString('en')
      : v.toFixed(v >= 10 ? 1 : 2);

function report(scenario: Scenario, results: Rounds): string {
  const ref = scenario.reference ?? 'channels';
  const refName = CONTENDERS[ref]?.name ?? ref;
  const lines = [
    `### ${scenario.title}`,
    '',
    `| contender | ${scenario.metrics.map((m) => `${m.label} (median)`).join(' | ')} | ${scenario.metrics.map((m) => `${refName} ÷ this, ${m.label}`).join(' | ')} |`,
    `|---|${scenario.metrics.map(() => '---:').join('|')}|${scenario.metrics.map(() => '---:').join('|')}|`,
  ];
  for (const [name, rounds] of Object.entries(results)) {
    const values = scenario.metrics.map((m) => fmt(median(rounds.map((r) => r[m.key]!))));
    const ratios = scenario.metrics.map((m) => {
      if (name === ref || !results[ref]) return '1';
      // Per-round ratios (the reference and this contender ran side by side), then the median.
      const perRound = rounds.map((r, i) => results[ref]![i]![m.key]! / r[m.key]!);
      // A column this contender has no share of (Redis calls of one node) has no ratio.
      if (!Number.isFinite(median(perRound))) return '-';
      return `${median(perRound).toFixed(2)}x (${perRound.map((x) => x.toFixed(2)).join(', ')})`;
    });
    lines.push(`| ${CONTENDERS[name]!.name} | ${values.join(' | ')} | ${ratios.join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const header = [
    `# npm run bench ${args.join(' ')}`.trim(),
    '',
    `${new Date().toISOString()}, node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GB; ${pinning}; ${ROUNDS} rounds, contenders interleaved.`,
    '',
  ];
  console.log(header.join('\n'));
  const raw: Record<string, Rounds> = {};
  const chosen = SCENARIOS.filter((s) => ids.includes(s.id));
  // The two-node contender's redis-server: the bench's own, for the whole run.
  const redis = chosen.some((s) => s.contenders.includes('channels-redis'))
    ? await startBenchRedis()
    : undefined;
  // Under its own name: every server inherits this environment, and only the two-node
  // contender's (contenders.ts) may turn it into BENCH_REDIS_URL.
  if (redis) process.env.BENCH_REDIS_SERVER = redis.url;
  try {
    for (const scenario of chosen) {
      raw[scenario.id] = await runScenario(scenario);
      console.log(report(scenario, raw[scenario.id]!) + '\n');
    }
  } finally {
    await redis?.stop();
  }
  console.log(`total ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(raw, null, 2));
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
