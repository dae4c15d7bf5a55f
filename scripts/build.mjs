// Builds the module twice (ES modules for Nest 12, CommonJS for Nest 11) and the sample.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

const tsc = (project) =>
  execFileSync('npx', ['--no-install', 'tsc', '-p', project], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
tsc('tsconfig.build.json');
tsc('tsconfig.cjs.json');
// The package is "type": "module"; this marks the CommonJS build as such for Node.
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', JSON.stringify({ type: 'commonjs' }) + '\n');
// The sample page and the client SDK, bundled for browsers.
await import('./bundle-client.mjs');
