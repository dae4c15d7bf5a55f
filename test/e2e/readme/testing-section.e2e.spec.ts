import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The README's first e2e test (also in docs/testing.md), exactly as written there, must pass
// against the README's quick start gateway: its `it` is registered by importing it.
const readme = readFileSync(resolve('README.md'), 'utf8');
const quickStart = /## Quick start[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)![1]!;
const firstTest = /## Testing[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)![1]!;
const dir = resolve('test/e2e/readme/.generated');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'quick-start.ts'), quickStart);
writeFileSync(
  join(dir, 'first-test.ts'),
  firstTest.replace("from './chat.gateway';", "from './quick-start.js';"),
);

describe('README: a first e2e test of a gateway', () => {
  it('is the one docs/testing.md shows, and is about 10 lines', () => {
    expect(readFileSync(resolve('docs/testing.md'), 'utf8')).toContain(firstTest);
    const body = /it\([^\n]*\n([\s\S]*)\n\}\);/.exec(firstTest)![1]!.split('\n');
    expect(body.length).toBeLessThanOrEqual(12);
  });
});

// Registers the README's `it` (top-level await: the file is written above).
await import('./.generated/first-test.js');
