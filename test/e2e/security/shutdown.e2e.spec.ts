import type { Socket } from 'node:net';
import { PLATFORMS } from '../../support/app.js';
import { useFixtureApp } from '../../support/compile-fixture.js';
import { sleep, waitFor, withConcurrency } from '../../support/wait.js';
import { TestClient } from '../../support/ws-client.js';
import { startChannels } from './channels-app.js';

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

  describe.each(PLATFORMS)('SIGTERM with enableShutdownHooks() on %s', (platform) => {
    const fixtureApp = useFixtureApp('test/e2e/security/broadcasting-app.fixture.ts');

    it('closes 200 clients of a running broadcast with 1001, each having received its pushes in order', async () => {
      const started = await fixtureApp.start({
        CHANNELS_TEST_PLATFORM: platform,
        // Node 20 notes on stderr that @fastify/middie require()s an ES module.
        NODE_OPTIONS: '--disable-warning=ExperimentalWarning',
      });

      const url = `ws://127.0.0.1:${started.port}/channels`;
      const clients = await withConcurrency(200, 20, async () => {
        const { client } = await TestClient.connect(url);
        const subscribed = await client.request('subscribe', { channel: 'feed' });
        return { client, from: subscribed.data.offset as number };
      });
      const pushesOf = (client: TestClient) =>
        client.frames.filter((frame) => frame.channel === 'feed');
      await waitFor(
        () => clients.every(({ client }) => pushesOf(client).length > 0),
        10_000,
        'a push on every client',
      );

      started.child.kill('SIGTERM');
      const closes = await Promise.all(clients.map(({ client }) => client.closed));
      expect(closes.filter((close) => close.code !== 1001)).toEqual([]);
      for (const { client, from } of clients) {
        const offsets = pushesOf(client).map((push) => push.offset as number);
        expect(offsets).toEqual(offsets.map((_, i) => from + 1 + i));
      }
      const { code, signal } = await started.exited;
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
      expect(started.stderr()).toBe('');
    });
  });
});
