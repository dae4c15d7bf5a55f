import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// prom-client and @nestjs/terminus are optional peers: the main entry points load without them
// (in an app that has neither), and only `nestjs-channels/metrics` and `/health` need them.
const root = resolve('.');
const OPTIONAL = ['prom-client', '@nestjs/terminus'];

/** Runs `code` in a fresh Node where requiring or importing an optional peer fails as if absent. */
function withoutOptionalPeers(code: string, type: 'commonjs' | 'module'): string {
  const hideCjs = `
    const Module = require('node:module');
    const resolveFilename = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (${JSON.stringify(OPTIONAL)}.some((n) => request === n || request.startsWith(n + '/'))) {
        const error = new Error("Cannot find module '" + request + "'");
        error.code = 'MODULE_NOT_FOUND';
        throw error;
      }
      return resolveFilename.call(this, request, ...rest);
    };`;
  const hook = `export async function resolve(specifier, context, next) {
    if (${JSON.stringify(OPTIONAL)}.some((n) => specifier === n || specifier.startsWith(n + '/')))
      throw Object.assign(new Error('Cannot find package ' + specifier), { code: 'ERR_MODULE_NOT_FOUND' });
    return next(specifier, context);
  }`;
  const hideEsm = `
    import { register } from 'node:module';
    register(${JSON.stringify('data:text/javascript,')} + ${JSON.stringify(encodeURIComponent(hook))});`;
  const args =
    type === 'commonjs'
      ? ['-e', `${hideCjs}\n${code}`]
      : ['--input-type=module', '-e', `${hideEsm}\n${code}`];
  return execFileSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  }).trim();
}

describe('optional peers: prom-client and @nestjs/terminus', () => {
  beforeAll(() => {
    expect(existsSync(resolve('dist/cjs/lib/index.js'))).toBe(true);
  });

  it('the CommonJS build loads without them, and only the metrics entry needs prom-client', () => {
    const out = withoutOptionalPeers(
      `require('reflect-metadata');
       const main = require('./dist/cjs/lib/index.js');
       let metrics = 'loaded';
       try { require('./dist/cjs/lib/metrics/index.js'); } catch (e) { metrics = e.code; }
       console.log(typeof main.ChannelsModule, typeof main.ChannelsEvents, metrics);`,
      'commonjs',
    );
    expect(out).toBe('function function MODULE_NOT_FOUND');
  });

  it('the ES module build loads without them', () => {
    const out = withoutOptionalPeers(
      `await import('reflect-metadata');
       const main = await import('./dist/esm/lib/index.js');
       let health = 'loaded';
       try { await import('./dist/esm/lib/health/index.js'); } catch (e) { health = e.code; }
       console.log(typeof main.ChannelsModule, typeof main.ChannelsEvents, health);`,
      'module',
    );
    expect(out).toBe('function function ERR_MODULE_NOT_FOUND');
  });
});
