import { WebSocket } from 'ws';
import { ChannelsClient, type PushFrame } from '../../../lib/client/index.js';
import { SampleApi } from '../browser/support/sample-api.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { startSampleProcess, type SampleProcess } from '../../support/sample-process.js';
import { RawSseClient, postCommand, type HttpAnswer } from '../../support/sse-client.js';
import { TestClient, type Frame } from '../../support/ws-client.js';
import { sleep, waitFor } from '../../support/wait.js';

/** When the probes subscribe, in milliseconds after redis-server answers PING again. */
const PROBE_DELAYS_MS = [100, 500, 1_000];

/** One probe's answer: how it was asked, and what came back. */
interface ProbeAnswer {
  node: number;
  delayMs: number;
  transport: 'websocket' | 'sse';
  frame: Frame;
  status?: number;
  retryAfter?: string;
}

// Two sample nodes; redis-server killed (nothing persisted), away for a while, then started
// again on the same port. A broker that cannot be reached is a state of the protocol
// (UNAVAILABLE, retryable), never an internal error.
describe('two sample nodes while redis-server is away and back', () => {
  let redis: RedisServer;
  let nodes: SampleProcess[];
  let apis: SampleApi[];
  const sockets: TestClient[] = [];
  const streams: RawSseClient[] = [];
  const clients: ChannelsClient[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const env = { PORT: '0', REDIS_URL: redis.url, SAMPLE_TOKEN_SECRET: 'unavailable-secret' };
    nodes = await Promise.all([startSampleProcess(env), startSampleProcess(env)]);
    apis = nodes.map((node) => new SampleApi(node.url));
  }, 60_000);
  afterAll(async () => {
    clients.forEach((client) => client.close());
    sockets.forEach((socket) => socket.close());
    streams.forEach((stream) => stream.close());
    await Promise.all((nodes ?? []).map((node) => node.stop()));
    await redis?.stop();
  }, 60_000);

  const wsUrl = (node: number) => `${nodes[node]!.url.replace('http', 'ws')}channels`;
  const socketOn = async (node: number, token: string) => {
    const { client } = await TestClient.connect(wsUrl(node), {
      headers: { Authorization: `Bearer ${token}` },
    });
    sockets.push(client);
    return client;
  };
  const streamOn = async (node: number, token: string) => {
    const { client, welcome } = await RawSseClient.connect(`${nodes[node]!.url}channels/sse`, {
      Authorization: `Bearer ${token}`,
    });
    streams.push(client);
    return {
      stream: client,
      connectionId: (welcome.json as { connectionId: string }).connectionId,
    };
  };
  const postSubscribe = (node: number, token: string, connectionId: string, id: number) =>
    postCommand(
      `${nodes[node]!.url}channels/messages`,
      { id, event: 'subscribe', data: { channel: 'broadcast' } },
      { Authorization: `Bearer ${token}`, 'X-Channels-Connection': connectionId },
    );
  const sdkClient = (node: number, token: string, transport: 'websocket' | 'sse') => {
    const client = new ChannelsClient({
      url: `${nodes[node]!.url}channels`,
      token,
      WebSocket,
      transports: [transport],
    });
    clients.push(client);
    return client;
  };
  const linesSince = (node: number, from: number) =>
    nodes[node]!.output()
      .slice(from)
      .split('\n')
      .filter((line) => line.trim() !== '');

  it('answers UNAVAILABLE (never INTERNAL) around the restart, its SDK clients end subscribed, and each node logs the outage in two lines', async () => {
    const token = await apis[0]!.login('grace');
    // Each node already has a subscriber of `broadcast`, so a subscribe there reads only the
    // channel's position from Redis (the path that answered INTERNAL).
    const keepers = await Promise.all([socketOn(0, token), socketOn(1, token)]);
    for (const keeper of keepers)
      expect((await keeper.request('subscribe', { channel: 'broadcast' })).data).toMatchObject({
        channel: 'broadcast',
      });
    // The probes connect now: what they measure is the subscribe, not a handshake.
    const probeSockets = await Promise.all(
      [0, 1].map((node) => Promise.all(PROBE_DELAYS_MS.map(() => socketOn(node, token)))),
    );
    const probeStreams = await Promise.all(
      [0, 1].map((node) => Promise.all(PROBE_DELAYS_MS.map(() => streamOn(node, token)))),
    );
    const logFrom = nodes.map((node) => node.output().length);

    await redis.stop();
    // While Redis is away: a subscribe and a publish are refused as retryable, at once.
    for (const node of [0, 1]) {
      const probe = await socketOn(node, token);
      let answer: Frame | undefined;
      await waitFor(
        async () => {
          answer = await probe.request('subscribe', { channel: 'broadcast' });
          return answer.error?.code === 'UNAVAILABLE';
        },
        10_000,
        `node ${node} to answer UNAVAILABLE`,
      );
      expect(answer!.error).toMatchObject({ status: 503, retryAfterMs: expect.any(Number) });
      const post = await apis[node]!.post(
        'notifications',
        { userId: 'grace', title: 'while away', body: '' },
        token,
      );
      expect(post.status).toBe(503);
      expect(Number(post.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await post.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
    }
    // SDK clients that start while Redis is away: WebSocket on node A, SSE on node B.
    const received: PushFrame[][] = [[], []];
    const sdk = [sdkClient(0, token, 'websocket'), sdkClient(1, token, 'sse')];
    const subscribed = sdk.map((client, node) =>
      client.subscribe('broadcast', (_data, push) => received[node]!.push(push)),
    );
    const listed = sdk[0]!.request<{ items: unknown[] }>('notifications.list');
    // How soon each node serves again: a subscribe every 20 ms (a /health poll would log).
    const pollers = await Promise.all([socketOn(0, token), socketOn(1, token)]);
    await sleep(1_500);

    await redis.restart();
    const answeredPing = performance.now();
    const serving = Promise.all(
      pollers.map(async (poller, node) => {
        await waitFor(
          async () => {
            const answer = await poller.request('subscribe', { channel: 'broadcast' });
            if (answer.error) await sleep(20);
            return answer.data !== undefined;
          },
          10_000,
          `node ${node} to serve again`,
        );
        return performance.now() - answeredPing;
      }),
    );
    const probes = (
      await Promise.all(
        PROBE_DELAYS_MS.map(async (delayMs, index) => {
          await sleep(Math.max(0, answeredPing + delayMs - performance.now()));
          return Promise.all(
            [0, 1].flatMap((node) => [
              probeSockets[node]![index]!.request('subscribe', { channel: 'broadcast' }).then(
                (frame): ProbeAnswer => ({ node, delayMs, transport: 'websocket', frame }),
              ),
              postSubscribe(node, token, probeStreams[node]![index]!.connectionId, index + 1).then(
                (answer: HttpAnswer): ProbeAnswer => ({
                  node,
                  delayMs,
                  transport: 'sse',
                  frame: answer.json as Frame,
                  status: answer.status,
                  retryAfter: answer.headers['retry-after'] as string | undefined,
                }),
              ),
            ]),
          );
        }),
      )
    ).flat();

    for (const probe of probes) {
      const { frame } = probe;
      if (frame.error) {
        expect({ ...probe, code: frame.error.code }).toMatchObject({ code: 'UNAVAILABLE' });
        expect(frame.error.retryAfterMs).toBeGreaterThan(0);
        if (probe.transport === 'sse') {
          expect(probe.status).toBe(503);
          expect(Number(probe.retryAfter)).toBeGreaterThanOrEqual(1);
        }
      } else {
        expect(frame.data).toMatchObject({ channel: 'broadcast', offset: expect.any(Number) });
        if (probe.transport === 'sse') expect(probe.status).toBe(200);
      }
    }
    // Both nodes serve again well within a second of Redis answering (they retry every 100 ms).
    const servingAfterMs = await serving;
    for (const ms of servingAfterMs) expect(ms).toBeLessThan(1_000);
    expect(probes.filter((p) => p.delayMs === 1_000 && p.frame.error)).toEqual([]);

    // The SDK clients retried on their own and are subscribed: no reload.
    await Promise.all(subscribed);
    await expect(listed).resolves.toMatchObject({ items: expect.any(Array) });
    let id: string | undefined;
    await waitFor(
      async () => {
        const answer = await apis[1]!.post('announcements', { title: 'back' }, token);
        if (answer.status === 201) id = ((await answer.json()) as { id: string }).id;
        return id !== undefined;
      },
      10_000,
      'an announcement to be accepted',
    );
    await waitFor(
      () => received.every((pushes) => pushes.some((p) => (p.data as { id: string }).id === id)),
      10_000,
      'both SDK clients to receive the announcement',
    );
    for (const keeper of keepers)
      await keeper.next((f) => f.channel === 'broadcast' && f.data?.id === id, 10_000);

    // One line when Redis went, one when it was back: no ERROR, no line per command.
    for (const node of [0, 1]) {
      const lines = linesSince(node, logFrom[node]!);
      expect({ node, lines }).toEqual({
        node,
        lines: [
          expect.stringMatching(/ WARN \[Channels\] Redis unreachable \(/),
          expect.stringMatching(/ WARN \[Channels\] Redis reachable again after \d+ ms\./),
        ],
      });
    }
  }, 90_000);
});
