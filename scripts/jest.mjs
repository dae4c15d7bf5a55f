// Runs Jest in two phases and reports them as one run:
//   1. every spec except the load specs (`*.load.spec.ts`), on Jest's workers in parallel;
//   2. the load specs, one at a time (`--runInBand`), on a machine with nothing else running.
// A load spec compares latencies under an attack against a baseline, so a second suite on the
// other core would be measured with it. Arguments are passed to both phases; `--outputFile`
// (with `--json`) receives the two phases' results merged, as one Jest run would write them.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOAD_SPECS = '\\.load\\.spec\\.ts$';
const jest = join(process.cwd(), 'node_modules', 'jest', 'bin', 'jest.js');
const args = process.argv.slice(2);
const outputArg = args.find((arg) => arg.startsWith('--outputFile='));
const passed = args.filter((arg) => arg !== outputArg);

/** Runs one phase; returns its exit status and, when asked for, its JSON results. */
function phase(name, extra) {
  const outputFile = outputArg ? join(tmpdir(), `jest-${name}-${process.pid}.json`) : undefined;
  const run = spawnSync(
    process.execPath,
    [
      jest,
      ...passed,
      ...extra,
      '--passWithNoTests',
      ...(outputFile ? [`--outputFile=${outputFile}`] : []),
    ],
    { stdio: 'inherit', env: process.env },
  );
  let results;
  if (outputFile) {
    try {
      results = JSON.parse(readFileSync(outputFile, 'utf8'));
    } catch {}
    rmSync(outputFile, { force: true });
  }
  return { status: run.status ?? 1, results };
}

const parallel = phase('parallel', ['--testPathIgnorePatterns', LOAD_SPECS]);
const serial = phase('load', ['--runInBand', '--testMatch', '**/*.load.spec.ts']);

if (outputArg) {
  const runs = [parallel.results, serial.results].filter(Boolean);
  const sum = (key) => runs.reduce((total, run) => total + (run[key] ?? 0), 0);
  const merged = {
    ...runs[0],
    success: runs.length === 2 && runs.every((run) => run.success),
    numPassedTests: sum('numPassedTests'),
    numFailedTests: sum('numFailedTests'),
    numPendingTests: sum('numPendingTests'),
    numTotalTests: runs.length === 2 ? sum('numTotalTests') : undefined,
    numPassedTestSuites: sum('numPassedTestSuites'),
    numFailedTestSuites: sum('numFailedTestSuites'),
    numTotalTestSuites: sum('numTotalTestSuites'),
    testResults: runs.flatMap((run) => run.testResults ?? []),
  };
  writeFileSync(outputArg.slice('--outputFile='.length), JSON.stringify(merged));
}
console.log(
  `jest: parallel phase ${parallel.status === 0 ? 'passed' : 'failed'}, load phase (one at a time) ${serial.status === 0 ? 'passed' : 'failed'}`,
);
process.exit(parallel.status || serial.status);
