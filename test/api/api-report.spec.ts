import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The committed API report (api/*.api.md) must match the declarations the build emits: a
// change to the public surface fails here until `npm run api:update` records it.
const check = (...args: string[]) =>
  spawnSync('node', ['scripts/api-report.mjs', '--check', ...args], { encoding: 'utf8' });

describe('the API report', () => {
  it('matches the public declarations of every entry point', () => {
    const result = check();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 120_000);

  it('fails on a public change, naming the entry, the line and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'api-report-'));
    try {
      cpSync('api', dir, { recursive: true });
      const file = join(dir, 'nestjs-channels.api.md');
      writeFileSync(file, readFileSync(file, 'utf8').replace('heartbeatMs?: number;', ''));
      const result = check('--dir', dir);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('The public API of nestjs-channels changed');
      expect(result.stderr).toContain('npm run api:update');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
