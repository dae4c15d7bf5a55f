import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeReadmeCode } from './readme-code.mjs';

// The README's first e2e test (also in docs/testing.md), exactly as written there, must pass
// against the README's quick start gateway: its `it` is registered by importing it.
const { firstTest } = writeReadmeCode();

describe('README: a first e2e test of a gateway', () => {
  it('is the one docs/testing.md shows, and is about 10 lines', () => {
    expect(readFileSync(resolve('docs/testing.md'), 'utf8')).toContain(firstTest);
    const body = /it\([^\n]*\n([\s\S]*)\n\}\);/.exec(firstTest)![1]!.split('\n');
    expect(body.length).toBeLessThanOrEqual(12);
  });
});

// Registers the README's `it` (top-level await: the file is written above).
await import('./.generated/first-test.js');
