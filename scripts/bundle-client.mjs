// Bundles the sample page (sample/page/main.ts with the client SDK it imports) for browsers,
// and copies the page's static files beside it: dist/esm/sample/public, served by the sample.
// Run by scripts/build.mjs; `node scripts/bundle-client.mjs` runs it alone.
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';

const outdir = 'dist/esm/sample/public';
mkdirSync(outdir, { recursive: true });
cpSync('sample/public', outdir, { recursive: true });
await build({
  entryPoints: ['sample/page/main.ts'],
  outdir,
  entryNames: 'app',
  bundle: true,
  // The SDK imports the MessagePack codec only when `encoding: 'msgpack'` is chosen: a chunk of
  // its own (about 33 KB minified), so a JSON page never downloads it.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // A Node-only import in the SDK fails the build here instead of in a user's browser.
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
});
