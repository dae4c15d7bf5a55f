import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

// Type tests: tsc over the fixtures in this folder. `contract.valid.ts` must compile; every
// `@ts-expect-error` line in `contract.invalid.ts` must be an error (tsc reports an unused one).
const run = promisify(execFile);
const here = new URL('./', import.meta.url);
const project = new URL('tsconfig.json', here).pathname;

async function tsc(): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run('npx', ['--no-install', 'tsc', '-p', project], { cwd: here });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}

describe('typed contract (tsc --noEmit over test/types)', () => {
  it('compiles the right calls and rejects every wrong one marked @ts-expect-error', async () => {
    const { code, output } = await tsc();
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 120_000);

  it('fails each marked line on its own: without the markers, exactly those lines are errors', async () => {
    const source = readFileSync(new URL('contract.invalid.ts', here), 'utf8');
    const lines = source.split('\n');
    const expected = lines
      .map((line, index) => (line.trim().startsWith('// @ts-expect-error') ? index + 2 : 0))
      .filter((line) => line > 0);
    const unmarked = new URL('contract.unmarked.ts', here);
    writeFileSync(unmarked, source.replaceAll('// @ts-expect-error', '// (was expected)'));
    try {
      const { output } = await tsc();
      const failing = [...output.matchAll(/contract\.unmarked\.ts\((\d+),\d+\): error/g)].map(
        (match) => Number(match[1]),
      );
      expect([...new Set(failing)]).toEqual(expected);
    } finally {
      rmSync(unmarked, { force: true });
    }
  }, 120_000);
});
