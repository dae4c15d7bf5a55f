import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// prom-client, @nestjs/terminus and @opentelemetry/api are optional peers: the main entry points
// load without them (in an app that has none), and only `nestjs-channels/metrics`, `/health` and
// `/tracing` need them.
const root = resolve('.');
const OPTIONAL = ['prom-client', '@nestjs/terminus', '@opentelemetry/api'];

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

describe('optional peers: prom-client, @nestjs/terminus and @opentelemetry/api', () => {
  beforeAll(() => {
    expect(existsSync(resolve('dist/cjs/lib/index.js'))).toBe(true);
  });

  it('the CommonJS build loads without them, and only the metrics and tracing entries need theirs', () => {
    const out = withoutOptionalPeers(
      `require('reflect-metadata');
       const main = require('./dist/cjs/lib/index.js');
       let metrics = 'loaded';
       try { require('./dist/cjs/lib/metrics/index.js'); } catch (e) { metrics = e.code; }
       let tracing = 'loaded';
       try { require('./dist/cjs/lib/tracing/index.js'); } catch (e) { tracing = e.code; }
       console.log(typeof main.ChannelsModule, typeof main.ChannelsEvents, metrics, tracing);`,
      'commonjs',
    );
    expect(out).toBe('function function MODULE_NOT_FOUND MODULE_NOT_FOUND');
  });

  it('the tracing entry loads in both builds where @opentelemetry/api is installed', () => {
    const run = (args: string[]) =>
      execFileSync(process.execPath, args, {
        cwd: root,
        env: { ...process.env, NODE_OPTIONS: '' },
        encoding: 'utf8',
      }).trim();
    expect(
      run([
        '-e',
        `require('reflect-metadata'); console.log(typeof require('./dist/cjs/lib/tracing/index.js').ChannelsTracingModule);`,
      ]),
    ).toBe('function');
    expect(
      run([
        '--input-type=module',
        '-e',
        `await import('reflect-metadata'); console.log(typeof (await import('./dist/esm/lib/tracing/index.js')).ChannelsTracingModule);`,
      ]),
    ).toBe('function');
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
