import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { compileFixture, type CompiledFixture } from '../../support/compile-fixture.js';
import { TestClient } from '../../support/ws-client.js';
import { eventually, sleep, startChannels, withConcurrency } from './helpers.js';

describe('security: graceful shutdown', () => {
  describe('app.close()', () => {
    it('lets in-flight replies finish, then closes every connection with 1001, and refuses new upgrades with 503', async () => {
      const channels = await startChannels({ shutdown: { timeoutMs: 3_000 } });
      const busy = (await channels.connect()).client;
      const idle = (await channels.connect()).client;
      busy.send({ id: 1, event: 'slow', data: { ms: 400 } });
      await sleep(50);
      const closing = channels.app.close();
      await sleep(50);

      await expect(TestClient.open(channels.url)).rejects.toThrow('HTTP 503');
      busy.send({ id: 2, event: 'echo', data: 'too late' });
      expect(await busy.closed).toEqual({ code: 1001, reason: 'server shutting down' });
      expect(busy.frames).toEqual([
        { id: 2, error: { code: 'INTERNAL', message: 'The server is shutting down.' } },
        { id: 1, data: 'done' },
      ]);
      expect(await idle.closed).toEqual({ code: 1001, reason: 'server shutting down' });
      await closing;
    });

    it('stops waiting at shutdown.timeoutMs: a handler that runs on and a client that does not read still see 1001', async () => {
      const channels = await startChannels({ shutdown: { timeoutMs: 1_000 } });
      const stuck = (await channels.connect()).client;
      const deaf = (await channels.connect()).client;
      stuck.send({ id: 1, event: 'slow', data: { ms: 2_500 } });
      const deafSocket = (deaf.socket as unknown as { _socket: Socket })._socket;
      await sleep(50);
      deafSocket.pause();

      const started = Date.now();
      await channels.app.close();
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(await stuck.closed).toEqual({ code: 1001, reason: 'server shutting down' });
      expect(stuck.frames).toEqual([]);
      deafSocket.resume();
      expect(await deaf.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    });
  });

  describe('SIGTERM with enableShutdownHooks()', () => {
    let fixture: CompiledFixture;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      fixture = await compileFixture('test/e2e/security/shutdown.fixture.ts');
    });
    afterAll(() => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fixture?.cleanup();
    });

    it('closes 200 clients of a running broadcast with 1001, each having received its pushes in order', async () => {
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      child = spawn(process.execPath, [fixture.file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (data) => (stderr += data));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })),
      );
      const port = await new Promise<number>((resolve, reject) => {
        let stdout = '';
        child!.stdout!.on('data', (data) => {
          stdout += data;
          const match = /PORT (\d+)/.exec(stdout);
          if (match) resolve(Number(match[1]));
        });
        void exited.then(() => reject(new Error(`fixture exited: ${stderr}`)));
      });

      const url = `ws://127.0.0.1:${port}/channels`;
      const clients = await withConcurrency(200, 20, async () => {
        const { client } = await TestClient.connect(url);
        const subscribed = await client.request('subscribe', { channel: 'feed' });
        return { client, from: subscribed.data.offset as number };
      });
      const pushesOf = (client: TestClient) =>
        client.frames.filter((frame) => frame.channel === 'feed');
      await eventually(
        () => clients.every(({ client }) => pushesOf(client).length > 0),
        10_000,
        'a push on every client',
      );

      child.kill('SIGTERM');
      const closes = await Promise.all(clients.map(({ client }) => client.closed));
      expect(closes.filter((close) => close.code !== 1001)).toEqual([]);
      for (const { client, from } of clients) {
        const offsets = pushesOf(client).map((push) => push.offset as number);
        expect(offsets).toEqual(offsets.map((_, i) => from + 1 + i));
      }
      expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect(stderr).toBe('');
    });
  });
});
