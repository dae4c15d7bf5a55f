// Builds the module twice (ES modules for Nest 12, CommonJS for Nest 11) and the sample.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { markOptionalPeerImports } from './optional-peer-types.mjs';

const tsc = (project) =>
  execFileSync('npx', ['--no-install', 'tsc', '-p', project], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
tsc('tsconfig.build.json');
tsc('tsconfig.cjs.json');
// The package is "type": "module"; this marks the CommonJS build as such for Node.
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', JSON.stringify({ type: 'commonjs' }) + '\n');
// An app without an optional peer (ioredis, ...) type-checks with `skipLibCheck: false`.
for (const dir of ['dist/esm/lib', 'dist/cjs/lib']) markOptionalPeerImports(dir);
// The sample page and the client SDK, bundled for browsers.
await import('./bundle-client.mjs');
