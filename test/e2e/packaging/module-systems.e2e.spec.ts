import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startChildApp, type ChildApp } from '../../support/child-app.js';
import { TestClient } from '../../support/ws-client.js';

// These tests load the built package (`npm test` builds it first) the way users do.
const root = resolve('.');
const fixtures = join(root, 'test/fixtures');

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

describe('the package loads in both module systems', () => {
  let running: ChildApp | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('serves a Nest 12 ES module app through `import`', async () => {
    running = await startChildApp([join(fixtures, 'nest12-esm/main.mjs')], root);
    expect(running.info).toMatchObject({
      nest: expect.stringMatching(/^12\./),
      moduleSystem: 'esm',
    });
    await exercise(running.info.port);
  });

  describe('a Nest 11 CommonJS app that installs the packed module', () => {
    let dir: string;
    beforeAll(() => {
      expect(existsSync(join(root, 'dist/cjs/lib/index.js'))).toBe(true);
      dir = mkdtempSync(join(tmpdir(), 'channels-nest11-'));
      execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], {
        cwd: root,
        stdio: 'ignore',
      });
      const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
      cpSync(join(fixtures, 'nest11-cjs'), dir, { recursive: true });
      cpSync(join(fixtures, 'shared/start-app.cjs'), join(dir, 'start-app.cjs'));
      execFileSync(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--ignore-scripts',
          '--loglevel=error',
          join(dir, tarball),
        ],
        {
          cwd: dir,
          stdio: 'ignore',
        },
      );
    }, 180_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('serves through `require`', async () => {
      running = await startChildApp(['main.cjs'], dir);
      expect(running.info).toMatchObject({
        nest: expect.stringMatching(/^11\./),
        moduleSystem: 'object',
      });
      await exercise(running.info.port);
    });
  });
});
