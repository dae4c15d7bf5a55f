import type { INestApplication } from '@nestjs/common';
import { WebSocket } from 'ws';
import { ChannelsClient, type ChannelsError } from '../../../lib/client/index.js';
import { ChannelsEvents, type ChannelsEventOf } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { startTcpBalancer, type TcpBalancer } from '../../support/tcp-balancer.js';
import { sleep, waitFor } from '../../support/wait.js';
import { StreamLog, streamApp } from './stream.gateway.js';

type Ended = ChannelsEventOf<'stream.ended'>;

// Two nodes through one redis-server behind a TCP balancer: a streamed reply runs on the node
// that got the command; its values reach the client wherever it is connected.
describe('streamed replies across a reconnect to the other node', () => {
  let redis: RedisServer;
  let nodes: Array<{ app: INestApplication; port: number }>;
  let balancer: TcpBalancer;
  const log = new StreamLog();
  const ended: Ended[][] = [[], []];
  const resumed: Array<ChannelsEventOf<'stream.resumed'>[]> = [[], []];
  const clients: ChannelsClient[] = [];

  const client = (transport: 'websocket' | 'sse', token = 'alice') => {
    const c = new ChannelsClient({
      url: `http://127.0.0.1:${balancer.port}/channels`,
      token,
      WebSocket,
      transports: [transport],
      random: () => 0,
      requestTimeoutMs: 5_000,
    });
    clients.push(c);
    return c;
  };
  const endedOf = (node: number, channelOrKey: (e: Ended) => boolean) =>
    ended[node]!.filter(channelOrKey);

  beforeAll(async () => {
    redis = await startRedisServer();
    nodes = [];
    for (let i = 0; i < 2; i++) {
      const { app, http } = await startApp(
        streamApp(log, {
          stores: { redis: { url: redis.url } },
          history: { size: 500 },
          streams: { idleMs: 1_500 },
        }),
      );
      const events = app.get(ChannelsEvents);
      events.on('stream.ended', (e) => ended[i]!.push(e));
      events.on('stream.resumed', (e) => resumed[i]!.push(e));
      nodes.push({ app, port: Number(new URL(http).port) });
    }
    balancer = await startTcpBalancer([nodes[0]!.port]);
  }, 30_000);
  afterEach(() => {
    clients.splice(0).forEach((c) => c.close());
    balancer.backends = [nodes[0]!.port];
  });
  afterAll(async () => {
    await balancer?.close();
    await Promise.all((nodes ?? []).map(({ app }) => app.close()));
    await redis?.stop();
  });

  for (const transport of ['websocket', 'sse'] as const) {
    describe(`over ${transport}`, () => {
      it('gives 51..200 in order, once each, after the connection is killed at 50 and the client lands on the other node', async () => {
        const key = `resume-${transport}`;
        const c = client(transport);
        const values: number[] = [];
        for await (const value of c.stream<number>('count', { key, n: 200, ms: 5 })) {
          values.push(value);
          if (values.length === 50) {
            // Every new connection now goes to node B; the one in use is dropped.
            balancer.backends = [nodes[1]!.port];
            balancer.cut();
          }
        }
        expect(values).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
        // The client resumed on node B; the handler ran on node A, to its end, once.
        expect(resumed[1]!.filter((e) => e.connection.transport === transport)).not.toEqual([]);
        await waitFor(() => endedOf(0, (e) => e.values === 200 && e.event === 'count').length > 0);
        expect(log.torn(key)).toBe(1);
        expect(c.transport).toBe(transport);
      });

      it("unsubscribing mid-stream (break) runs the handler's teardown once and stops the values, across nodes", async () => {
        const key = `cancel-${transport}`;
        const c = client(transport);
        const values: number[] = [];
        for await (const value of c.stream<number>('ticks', { key, n: 10_000, ms: 5 })) {
          values.push(value);
          if (values.length === 20) {
            balancer.backends = [nodes[1]!.port];
            balancer.cut();
          }
          // On node B now: the cancel travels to node A, where the stream runs.
          if (values.length === 40) break;
        }
        await waitFor(() => log.torn(key) === 1, 5_000, 'the teardown');
        const stopped = log.torn(key);
        await sleep(300);
        expect(log.torn(key)).toBe(stopped);
        const [end] = endedOf(0, (e) => e.event === 'ticks' && e.reason === 'unsubscribed');
        expect(end).toBeDefined();
        expect(end!.values).toBeLessThan(10_000);
        expect(values).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      });
    });
  }

  it('cancels a stream nobody of its principal listens to for the idle time (teardown once)', async () => {
    const key = 'idle';
    const c = client('websocket');
    const values: number[] = [];
    const stream = c.stream<number>(
      'count',
      { key, n: 100_000, ms: 20 },
      {
        onValue: (v) => values.push(v),
      },
    );
    await waitFor(() => values.length >= 3);
    // The client goes away for good: no connection of alice is subscribed any more.
    c.close();
    expect(stream.finished).toBe(false);
    const before = Date.now();
    await waitFor(() => log.torn(key) === 1, 6_000, 'the idle cancellation');
    expect(Date.now() - before).toBeGreaterThanOrEqual(1_000);
    // Its end is reported once its last push (stream.error) is published, after the teardown.
    await waitFor(() => endedOf(0, (e) => e.reason === 'idle').length === 1);
    expect(endedOf(0, (e) => e.reason === 'idle')[0]).toMatchObject({ event: 'count' });
    await sleep(200);
    expect(log.torn(key)).toBe(1);
  });

  it('keeps a stream running past the idle time while its client listens on the other node', async () => {
    const key = 'touched';
    const idleBefore = endedOf(0, (e) => e.reason === 'idle').length;
    const c = client('websocket');
    const values: number[] = [];
    const started = Date.now();
    // 60 values 50 ms apart: 3 s, twice the idle time, all of it heard from node B.
    for await (const value of c.stream<number>('count', { key, n: 60, ms: 50 })) {
      values.push(value);
      if (values.length === 2) {
        balancer.backends = [nodes[1]!.port];
        balancer.cut();
      }
    }
    expect(Date.now() - started).toBeGreaterThan(2 * 1_500);
    expect(values).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    await waitFor(() => log.torn(key) === 1);
    await waitFor(() => endedOf(0, (e) => e.values === 60 && e.event === 'count').length === 1);
    expect(endedOf(0, (e) => e.reason === 'idle')).toHaveLength(idleBefore);
    expect(endedOf(0, (e) => e.values === 60 && e.event === 'count')[0]).toMatchObject({
      reason: 'completed',
    });
  });

  it("ends with the handler's error as stream.error, after the values before it", async () => {
    const c = client('websocket');
    const values: string[] = [];
    let failure: ChannelsError | undefined;
    try {
      for await (const value of c.stream<string>('fails', {})) values.push(value);
    } catch (error) {
      failure = error as ChannelsError;
    }
    expect(values).toEqual(['a', 'b']);
    expect(failure).toMatchObject({ code: 'CONFLICT', message: 'Out of words.' });
  });
});
