import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// A fresh Nest app outside the repo installs the packed module (`npm test` builds it first)
// and runs a gateway test written with `nestjs-channels/testing` alone, on both transports,
// as an ES module and as CommonJS, type-checked against the package's own declarations.
const root = resolve('.');
const fixture = join(root, 'test/fixtures/testing-entry');
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('a fresh app tests its gateway with nestjs-channels/testing alone', () => {
  let dir: string;

  beforeAll(() => {
    expect(existsSync(join(root, 'dist/cjs/lib/testing/index.js'))).toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'channels-testing-entry-'));
    run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], root);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    copyFileSync(join(fixture, 'package.json'), join(dir, 'package.json'));
    // Nest 11 and the module's dependencies come from npm's cache when another packaging test
    // has fetched them; on a fresh machine, from the registry.
    run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        join(dir, tarball),
      ],
      dir,
    );
    const source = readFileSync(join(fixture, 'gateway.e2e.ts'), 'utf8');
    writeFileSync(join(dir, 'gateway.e2e.mts'), source);
    writeFileSync(join(dir, 'gateway.e2e.cts'), source);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          useDefineForClassFields: false,
          skipLibCheck: true,
          typeRoots: [join(root, 'node_modules/@types')],
          types: ['node'],
        },
        files: ['gateway.e2e.mts', 'gateway.e2e.cts'],
      }),
    );
    // Type errors fail here: the entry point's types are what the app compiles against.
    run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], dir);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['an ES module (import)', 'gateway.e2e.mjs'],
    ['CommonJS (require)', 'gateway.e2e.cjs'],
  ])(
    'passes as %s on WebSocket and SSE',
    (_name, file) => {
      const output = run(process.execPath, [file], dir);
      expect(JSON.parse(output.trim())).toEqual({ passed: ['websocket', 'sse'] });
      const nest = JSON.parse(
        readFileSync(join(dir, 'node_modules/@nestjs/core/package.json'), 'utf8'),
      );
      expect(nest.version).toMatch(/^11\./);
    },
    60_000,
  );
});
