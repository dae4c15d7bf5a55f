import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

// Type tests: tsc over the fixtures in this folder. `contract.valid.ts` must compile; every
// `@ts-expect-error` line in `contract.invalid.ts` must be an error (tsc reports an unused one).
const run = promisify(execFile);
const here = new URL('./', import.meta.url);
const project = new URL('tsconfig.json', here).pathname;

async function tsc(config = project, ...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run('npx', ['--no-install', 'tsc', '-p', config, ...args], {
      cwd: here,
    });
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

  it('`npm run contract:types` emits declarations a separate client compiles against', async () => {
    const root = new URL('../../', import.meta.url);
    const out = new URL('dist/contract-check/', root);
    rmSync(out, { recursive: true, force: true });
    try {
      const emitted = await tsc(
        new URL('sample/tsconfig.contract.json', root).pathname,
        '--outDir',
        new URL('types/', out).pathname,
      );
      expect(emitted).toEqual({ code: 0, output: '' });
      mkdirSync(out, { recursive: true });
      // A client that has only the emitted declarations, as a separate repository would.
      writeFileSync(
        new URL('client.ts', out),
        [
          "import { ChannelsClient } from '../../lib/client/index.js';",
          "import type { NotificationsApi } from './types/sample/src/notifications/notifications.contract.js';",
          'export async function use(client: ChannelsClient<NotificationsApi>): Promise<number> {',
          "  await client.subscribe('user:alice', (n) => n.title.length);",
          '  // @ts-expect-error ids must be strings',
          "  await client.request('notifications.markRead', { ids: [1] });",
          "  return (await client.request('notifications.markRead', { ids: ['n1'] })).unread;",
          '}',
        ].join('\n'),
      );
      writeFileSync(
        new URL('tsconfig.json', out),
        JSON.stringify({
          extends: '../../tsconfig.json',
          compilerOptions: { noEmit: true, types: ['node'] },
          include: [],
          files: ['client.ts'],
        }),
      );
      expect(await tsc(new URL('tsconfig.json', out).pathname)).toEqual({ code: 0, output: '' });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
