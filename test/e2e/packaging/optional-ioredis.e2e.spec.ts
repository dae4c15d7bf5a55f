import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CJS_ENTRY = resolve('dist/cjs/lib/index.js');

// ioredis is an optional peer dependency: an app without it loads the module, runs on one
// node, and is told what to install only when it asks for Redis.
describe('without ioredis installed', () => {
  // Makes `require('ioredis')` fail as it would where the package is missing.
  const hideIoredis = `
    const Module = require('node:module');
    const resolveFilename = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (request === 'ioredis') throw Object.assign(new Error("Cannot find module 'ioredis'"), { code: 'MODULE_NOT_FOUND' });
      return resolveFilename.call(this, request, ...rest);
    };`;

  beforeAll(() => {
    if (!existsSync(CJS_ENTRY)) throw new Error('Build first: npm run build');
  });

  it('loads the CommonJS build', async () => {
    const script = `${hideIoredis}
      const lib = require(${JSON.stringify(CJS_ENTRY)});
      console.log(typeof lib.ChannelsModule, typeof lib.RedisBroker);`;
    const { stdout } = await run(process.execPath, ['-e', script]);
    expect(stdout.trim()).toBe('function function');
  });

  it('says to install ioredis when the redis option is used', async () => {
    const script = `${hideIoredis}
      const { RedisConnection } = require(${JSON.stringify(CJS_ENTRY)});
      RedisConnection.create({ url: 'redis://127.0.0.1:1' }).then(
        () => console.log('created'),
        (error) => console.log(error.message),
      );`;
    const { stdout } = await run(process.execPath, ['-e', script]);
    expect(stdout).toMatch(/needs the ioredis package \(npm i ioredis\)/);
  });
});
