import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { startChildApp, type ChildApp } from '../../support/child-app.js';
import { TestClient } from '../../support/ws-client.js';
import { installApp, packCleanClone, typeCheck } from './packed-app.js';

// These tests pack a clean clone (its prepack builds it), install the tarball into fresh apps
// from the registry, type-check them and run them, the way users get the package.

async function exercise(port: number): Promise<void> {
  const { client, welcome } = await TestClient.connect(`ws://127.0.0.1:${port}/channels`);
  try {
    expect(welcome.data.protocol).toBe(1);
    expect(await client.request('echo', { n: 1 })).toEqual({ id: 1, data: { echoed: { n: 1 } } });
    expect((await client.request('subscribe', { channel: 'room:secret' })).error.code).toBe(
      'FORBIDDEN',
    );
    expect((await client.request('subscribe', { channel: 'room:a' })).data.recovered).toBe(false);
    const res = await fetch(`http://127.0.0.1:${port}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'room:a', event: 'hello', data: { x: 1 } }),
    });
    expect(res.status).toBe(201);
    expect(await client.next((f) => f.channel === 'room:a')).toMatchObject({
      event: 'hello',
      data: { x: 1 },
      offset: 1,
    });
  } finally {
    client.close();
  }
}

describe('the packed package in fresh Nest 11 CommonJS and Nest 12 ES module apps', () => {
  let running: ChildApp | undefined;
  let work: string;
  let tarball: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'channels-pack-'));
    tarball = packCleanClone(work);
  }, 600_000);
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships built code, types for both entry points, and no source map pointing at a missing file', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
    const files = new Set(listing);
    for (const file of [
      'dist/esm/lib/index.js',
      'dist/cjs/lib/index.js',
      'dist/esm/lib/client/index.d.ts',
      'dist/cjs/lib/client/index.d.ts',
    ])
      expect(files).toContain(file);
    const maps = listing.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const dir = join(work, 'unpacked');
    mkdirSync(dir);
    execFileSync('tar', ['-xzf', tarball, '-C', dir]);
    const missing = maps.flatMap((map) => {
      const { sources } = JSON.parse(readFileSync(join(dir, 'package', map), 'utf8')) as {
        sources: string[];
      };
      return sources
        .map((source) => posix.join(posix.dirname(map), source))
        .filter((source) => !files.has(source));
    });
    expect(missing).toEqual([]);
  });

  it('ships its npm page: metadata, CHANGELOG and LICENSE, and every relative link of its markdown resolves inside it', () => {
    const dir = join(work, 'unpacked-links');
    mkdirSync(dir);
    execFileSync('tar', ['-xzf', tarball, '-C', dir]);
    const pkg = join(dir, 'package');
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'license', 'engines'])
      expect(manifest).toHaveProperty(field);
    expect(existsSync(join(pkg, 'CHANGELOG.md'))).toBe(true);
    expect(existsSync(join(pkg, 'LICENSE'))).toBe(true);
    const markdown = ['README.md', ...readdirSync(join(pkg, 'docs')).map((f) => `docs/${f}`)];
    const broken = markdown
      .filter((file) => file.endsWith('.md'))
      .flatMap((file) =>
        [...readFileSync(join(pkg, file), 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
          .map((link) => link[1]!)
          .filter((target) => !/^[a-z]+:/.test(target))
          .filter((target) => !existsSync(join(pkg, posix.dirname(file), target)))
          .map((target) => `${file} -> ${target}`),
      );
    expect(broken).toEqual([]);
  });

  describe('Nest 11, CommonJS', () => {
    let dir: string;
    beforeAll(() => {
      dir = installApp(work, 'nest11-cjs', tarball);
    }, 300_000);

    it('type-checks server and client imports under moduleResolution node10', () => {
      expect(typeCheck(dir, { module: 'commonjs', moduleResolution: 'node10' })).toBe('');
    }, 120_000);

    it("keeps the app's own moduleRef.init() test passing (no HTTP application)", () => {
      const out = execFileSync(process.execPath, ['init-test.cjs'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      expect(out.trim().split('\n').at(-1)).toBe('init ok');
    }, 60_000);

    it('runs the quick start through `require`', async () => {
      running = await startChildApp(['main.cjs'], dir);
      expect(running.info).toMatchObject({
        nest: expect.stringMatching(/^11\./),
        moduleSystem: 'object',
      });
      await exercise(running.info.port);
    });
  });

  describe('Nest 12, ES modules', () => {
    let dir: string;
    beforeAll(() => {
      dir = installApp(work, 'nest12-esm', tarball);
    }, 300_000);

    it.each([
      ['node16', 'node16'],
      ['bundler', 'esnext'],
    ])(
      'type-checks server and client imports under moduleResolution %s',
      (resolution, module) => {
        expect(typeCheck(dir, { module, moduleResolution: resolution })).toBe('');
      },
      120_000,
    );

    // ioredis, prom-client and @nestjs/terminus are optional peers the app did not install:
    // their imports in the declarations must not fail an app that checks them.
    it('type-checks with skipLibCheck: false, without the optional peers installed', () => {
      for (const peer of ['ioredis', 'prom-client', '@nestjs/terminus'])
        expect(existsSync(join(dir, 'node_modules', peer))).toBe(false);
      expect(
        typeCheck(dir, { module: 'node16', moduleResolution: 'node16', skipLibCheck: false }),
      ).toBe('');
    }, 120_000);

    it('runs the quick start through `import`', async () => {
      running = await startChildApp(['main.mjs'], dir);
      expect(running.info).toMatchObject({
        nest: expect.stringMatching(/^12\./),
        moduleSystem: 'esm',
      });
      await exercise(running.info.port);
    });
  });
});
