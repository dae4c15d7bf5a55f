import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

// The README's "two minutes" section, exactly as written there, must compile when pasted:
// each ```ts block is the file its first line names.
const run = promisify(execFile);
const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const section = /## From a gateway to a typed client[\s\S]*?(?=\n## )/.exec(readme)![0];
const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
const dir = new URL('readme/.generated/', import.meta.url);

describe('README: from a gateway to a typed client', () => {
  beforeAll(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const block of blocks) {
      const name = /^\/\/ ([\w.-]+\.ts)/.exec(block)![1]!;
      writeFileSync(new URL(name, dir), block);
    }
  });

  it('has the contract, gateway, module and client blocks', () => {
    expect(blocks.map((block) => /^\/\/ ([\w.-]+\.ts)/.exec(block)?.[1])).toEqual([
      'chat.contract.ts',
      'chat.gateway.ts',
      'app.module.ts',
      'client.ts',
    ]);
  });

  it('compiles, and the wrong calls its comment names do not', async () => {
    const project = new URL('readme/tsconfig.json', import.meta.url).pathname;
    const tsc = async (): Promise<string> => {
      try {
        return (await run('npx', ['--no-install', 'tsc', '-p', project], { cwd: root })).stdout;
      } catch (error) {
        return (error as { stdout: string }).stdout;
      }
    };
    expect(await tsc()).toBe('');
    const client = readFileSync(new URL('client.ts', dir), 'utf8');
    writeFileSync(
      new URL('client.ts', dir),
      client +
        [
          "await client.request('message.sned', { roomId: 'lobby', text: 'hi' });",
          "await client.request('message.send', { roomId: 'lobby' });",
          "await client.subscribe('room:lobby', (message: number) => message);",
        ].join('\n'),
    );
    const errors = (await tsc()).match(/client\.ts\(\d+,\d+\): error/g) ?? [];
    expect(errors).toHaveLength(3);
  }, 120_000);
});
