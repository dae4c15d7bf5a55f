import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { ChannelsService } from '../../../lib/index.js';
import { RawSseClient } from '../../support/sse-client.js';
import { AUTH } from '../../support/token.guard.js';
import { waitFor } from '../../support/wait.js';
import { TokenGuard, startSseApp } from './sse.gateway.js';

const CYCLES = 1000;
const PARALLEL = 20;

describe('SSE stream: lifecycle and resources', () => {
  let app: INestApplication;
  let base: string;
  let channels: ChannelsService;
  let server: Server;

  beforeAll(async () => {
    ({ app, base, channels } = await startSseApp({
      auth: { handshakeGuards: [TokenGuard] },
      sse: { heartbeatMs: 20 },
      limits: { maxBufferedBytes: 64 * 1024 },
      // 1,000 streams from one address: the handshake rate limit is another test's subject.
      rateLimits: { connection: false },
    }));
    server = app.getHttpServer() as Server;
  });

  afterAll(() => app.close());

  // Sockets, servers and ref'd timers (unref'd timers are invisible to both counts).
  function activeHandles(): number {
    const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles()
      .length;
    return handles + process.getActiveResourcesInfo().length;
  }

  function openSockets(): Promise<number> {
    return new Promise((resolve, reject) =>
      server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
  }

  function listenerCounts(): Record<string, number> {
    return Object.fromEntries(
      ['request', 'upgrade', 'connection', 'close'].map((e) => [e, server.listenerCount(e)]),
    );
  }

  it(`frees everything over ${CYCLES} connect/disconnect cycles`, async () => {
    // Warm up once so lazily created handles exist before the baseline.
    const warm = await RawSseClient.connect(
      `${base}/channels/sse?channel=room:cycle`,
      AUTH('alice'),
    );
    warm.client.close();
    await waitFor(
      async () => channels.connectionCount() === 0 && (await openSockets()) === 0,
      10_000,
    );
    const baseline = { handles: activeHandles(), listeners: listenerCounts() };

    for (let done = 0; done < CYCLES; done += PARALLEL) {
      await Promise.all(
        Array.from({ length: PARALLEL }, async (_, i) => {
          const user = i % 2 === 0 ? 'alice' : 'bob';
          const { client } = await RawSseClient.connect(
            `${base}/channels/sse?channel=room:cycle&channel=user:${user}`,
            AUTH(user),
          );
          client.close();
          await client.ended;
        }),
      );
    }
    await waitFor(
      async () => channels.connectionCount() === 0 && (await openSockets()) === 0,
      10_000,
    );
    expect(channels.subscriptionCount()).toBe(0);
    expect(listenerCounts()).toEqual(baseline.listeners);
    // Heartbeat sweeps ran throughout; no timer or socket per stream is left behind.
    expect(activeHandles()).toBeLessThanOrEqual(baseline.handles + 4);
  });

  it('ends the stream with event: close when the app disconnects it', async () => {
    const { client, welcome } = await RawSseClient.connect(
      `${base}/channels/sse?channel=room:bye`,
      AUTH('alice'),
    );
    expect(channels.disconnect({ principal: { id: 'alice' } }, 4403, 'go away')).toBe(1);
    const close = await client.next((e) => e.event === 'close');
    expect(close.json).toEqual({ code: 4403, reason: 'go away' });
    await client.ended;
    await waitFor(
      async () => channels.getConnection(welcome.json.connectionId) === undefined,
      10_000,
    );
    expect(channels.subscriptionCount('room:bye')).toBe(0);
  });

  it('drops a slow consumer whose unsent bytes pass maxBufferedBytes', async () => {
    const { client, welcome } = await RawSseClient.connect(
      `${base}/channels/sse?channel=room:slow`,
      AUTH('alice'),
    );
    client.response.pause();
    const big = 'x'.repeat(16 * 1024);
    // Bounded: socket buffers fill long before this many bytes (about 32 MB).
    for (let n = 0; n < 2000 && channels.getConnection(welcome.json.connectionId); n++) {
      await channels.publish('room:slow', 'big', big);
    }
    await waitFor(
      async () => channels.getConnection(welcome.json.connectionId) === undefined,
      10_000,
    );
    expect(channels.subscriptionCount('room:slow')).toBe(0);
    client.close();
  });

  it('forgets a stream whose client left during join authorization', async () => {
    const client = await RawSseClient.open(`${base}/channels/sse?channel=room:quick`, AUTH('bob'));
    client.close();
    await waitFor(
      async () => channels.connectionCount() === 0 && channels.subscriptionCount() === 0,
      10_000,
    );
  });
});
