// The README's code that the readme specs run, written to .generated/ as the files they
// import: its quick start (quick-start.ts) and its first e2e test (first-test.ts), which
// imports the quick start's gateway. The specs call writeReadmeCode(); run this file
// (`node test/e2e/readme/readme-code.mjs`) before type-checking the tests, and tsc checks the
// README's code against the module's types as well.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const generated = join(here, '.generated');

/** Writes the README's code to .generated/ (a file that is already up to date is left alone). */
export function writeReadmeCode() {
  const readme = readFileSync(join(here, '../../../README.md'), 'utf8');
  const quickStart = /## Quick start[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)[1];
  const firstTest = /## Testing[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)[1];
  mkdirSync(generated, { recursive: true });
  write('quick-start.ts', quickStart);
  write('first-test.ts', firstTest.replace("from './chat.gateway';", "from './quick-start.js';"));
  return { quickStart, firstTest };
}

function write(name, source) {
  const file = join(generated, name);
  if (!existsSync(file) || readFileSync(file, 'utf8') !== source) writeFileSync(file, source);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeReadmeCode();
