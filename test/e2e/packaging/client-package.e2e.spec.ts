import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { INestApplication } from '@nestjs/common';
import { ChannelGateway, ChannelsModule, MessageBody, OnMessage } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { packClientCleanClone } from './packed-app.js';

// The client as a package of its own (`npm run pack:client`): a front end in another
// repository installs only its tarball, type-checks strictly against it and the server's
// emitted contract declarations, bundles it for a browser, and talks to a real server.
const root = resolve('.');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const esbuild = join(root, 'node_modules/esbuild/bin/esbuild');
const quiet = { stdio: 'pipe' as const, encoding: 'utf8' as const };

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { ...quiet, cwd });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}` || String(error);
  }
}

/** Every package directory under `node_modules` (scoped ones as `@scope/name`). */
function installedPackages(dir: string): string[] {
  const modules = join(dir, 'node_modules');
  return readdirSync(modules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) =>
      name.startsWith('@')
        ? readdirSync(join(modules, name)).map((scoped) => `${name}/${scoped}`)
        : [name],
    );
}

@ChannelGateway()
class EchoGateway {
  @OnMessage('echo')
  echo(@MessageBody() data: unknown) {
    return { echoed: data };
  }
}

describe('the client package (nestjs-channels-client) in a front end of its own', () => {
  let work: string;
  let tarball: string;
  let app: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'channels-client-pack-'));
    tarball = packClientCleanClone(work);
    app = join(work, 'front-end');
    cpSync(join(root, 'test/fixtures/front-end'), app, { recursive: true });
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball],
      { ...quiet, cwd: app },
    );
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs alone with its codec: nothing of Nest, class-validator or Node types', () => {
    // msgpackr (and its optional native helpers) is the one dependency: the codec of
    // `encoding: 'msgpack'`, loaded only when chosen.
    const installed = installedPackages(app);
    expect(installed).toEqual(expect.arrayContaining(['nestjs-channels-client', 'msgpackr']));
    expect(
      installed.filter((name) =>
        /^(?:@nestjs\/|@types\/|class-validator|class-transformer|rxjs|reflect-metadata|ws$)/.test(
          name,
        ),
      ),
    ).toEqual([]);
    const manifest = JSON.parse(
      readFileSync(join(app, 'node_modules/nestjs-channels-client/package.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(Object.keys(manifest.dependencies as object)).toEqual(['msgpackr']);
    expect(manifest).not.toHaveProperty('peerDependencies');
    expect(manifest).toMatchObject({ license: 'MIT', repository: expect.any(Object) });
    // No import of them in the code or the declarations (TSDoc examples aside).
    const pkg = join(app, 'node_modules/nestjs-channels-client');
    const foreign =
      /^(?:import|export) .*from '(?:@nestjs\/|class-validator|ws'|node:)|require\("(?:@nestjs\/|class-validator|ws"|node:)/m;
    const files = readdirSync(pkg, { recursive: true, encoding: 'utf8' }).filter((f) =>
      /\.(?:js|d\.ts)$/.test(f),
    );
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((f) => foreign.test(readFileSync(join(pkg, f), 'utf8')))).toEqual([]);
  });

  it('tsc --strict with skipLibCheck: false is clean, against the emitted contract too', () => {
    // The server's contract, emitted as `npx tsc -p tsconfig.contract.json` does in its repository.
    const contract = join(root, 'test/fixtures/front-end-contract');
    writeFileSync(
      join(work, 'tsconfig.contract.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          strict: true,
          experimentalDecorators: true,
          declaration: true,
          emitDeclarationOnly: true,
          skipLibCheck: true,
          types: [],
          rootDir: contract,
          outDir: join(app, 'src/contract-types'),
          paths: { 'nestjs-channels': [join(root, 'dist/esm/lib/index.d.ts')] },
        },
        files: [join(contract, 'chat.contract.ts')],
      }),
    );
    expect(run(process.execPath, [tsc, '-p', 'tsconfig.contract.json'], work)).toBe('');
    expect(readFileSync(join(app, 'src/contract-types/chat.contract.d.ts'), 'utf8')).toContain(
      "from 'nestjs-channels'",
    );
    // The front end: strict, every declaration checked, no Node types, the contract's
    // `nestjs-channels` mapped to the client package (as its README says).
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          module: 'ESNext',
          moduleResolution: 'Bundler',
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          types: [],
          paths: { 'nestjs-channels': ['./node_modules/nestjs-channels-client'] },
        },
        include: ['src'],
      }),
    );
    expect(run(process.execPath, [tsc, '-p', 'tsconfig.json'], app)).toBe('');
    // The contract types bite: without the @ts-expect-error markers, exactly those lines fail.
    const main = join(app, 'src/main.ts');
    const source = readFileSync(main, 'utf8');
    writeFileSync(main, source.replaceAll('// @ts-expect-error', '// (expected)'));
    const errors = run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    writeFileSync(main, source);
    const marked = source
      .split('\n')
      .flatMap((line, i) => (line.includes('@ts-expect-error') ? [i + 2] : []));
    const failing = [...errors.matchAll(/src\/main\.ts\((\d+),\d+\): error/g)].map((m) =>
      Number(m[1]),
    );
    expect([...new Set(failing)]).toEqual(marked);
  }, 120_000);

  it('bundles for a browser (no Node import) into a small file, the MessagePack codec apart', () => {
    const outdir = join(work, 'bundle');
    expect(
      run(
        process.execPath,
        [
          esbuild,
          'src/main.ts',
          '--bundle',
          '--splitting',
          '--platform=browser',
          '--format=esm',
          '--minify',
          '--log-level=error',
          `--outdir=${outdir}`,
        ],
        app,
      ),
    ).toBe('');
    // The codec is a chunk of its own, fetched only by a client made with encoding: 'msgpack'.
    const chunks = readdirSync(outdir).filter((name) => name !== 'main.js');
    expect(chunks.length).toBeGreaterThan(0);
    const main = readFileSync(join(outdir, 'main.js'), 'utf8');
    expect(main).not.toContain('Packr');
    const gzipped = gzipSync(main).length;
    process.stdout.write(
      `client package, bundled and minified: ${(gzipped / 1024).toFixed(1)} KB gz\n`,
    );
    expect(gzipped).toBeLessThan(20 * 1024);
  }, 60_000);

  it.each(['module', 'commonjs'] as const)(
    'loaded as %s in Node, it talks to a real server over WebSocket and SSE',
    async (type) => {
      let server: { app: INestApplication; http: string } | undefined;
      try {
        server = await startApp({
          imports: [ChannelsModule.forRoot({})],
          providers: [EchoGateway],
        });
        const url = `${server.http}/channels`;
        const body = `
          for (const transports of [['websocket'], ['sse']]) {
            const client = new ChannelsClient({ url: ${JSON.stringify(url)}, WebSocket, transports });
            await client.connect();
            const reply = await client.request('echo', { n: 1 });
            console.log(client.transport, JSON.stringify(reply));
            client.close();
          }`;
        const ws = JSON.stringify(join(root, 'node_modules/ws'));
        const script =
          type === 'module'
            ? `import { ChannelsClient } from 'nestjs-channels-client';
               import { createRequire } from 'node:module';
               const { WebSocket } = createRequire(import.meta.url)(${ws});
               ${body}`
            : `const { ChannelsClient } = require('nestjs-channels-client');
               const { WebSocket } = require(${ws});
               (async () => { ${body} })();`;
        const args = type === 'module' ? ['--input-type=module', '-e', script] : ['-e', script];
        // A child Node (the front end's own module resolution), asynchronously: the server it
        // talks to runs in this process.
        const { stdout } = await promisify(execFile)(process.execPath, args, {
          cwd: app,
          env: { ...process.env, NODE_OPTIONS: '' },
          timeout: 30_000,
        });
        expect(stdout.trim().split('\n')).toEqual([
          'websocket {"echoed":{"n":1}}',
          'sse {"echoed":{"n":1}}',
        ]);
      } finally {
        await server?.app.close();
      }
    },
    60_000,
  );
});
