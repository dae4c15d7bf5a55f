import { WebSocket } from 'ws';
import { ChannelsClient } from '../../../lib/client/index.js';
import { SampleApi } from '../browser/support/sample-api.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { startSampleProcess, type SampleProcess } from '../../support/sample-process.js';
import { startTcpBalancer, type TcpBalancer } from '../../support/tcp-balancer.js';

const CLIENTS = 200;
const USERS = 20;

// A rolling deploy: one node of two is stopped (SIGTERM) and started again behind a load
// balancer while announcements keep coming; every client ends with every one of them.
describe('a rolling restart of one node of two under 200 clients', () => {
  let redis: RedisServer;
  let nodes: SampleProcess[];
  let balancer: TcpBalancer;
  const clients: ChannelsClient[] = [];
  const env = () => ({ PORT: '0', REDIS_URL: redis.url, SAMPLE_TOKEN_SECRET: 'rolling-secret' });

  beforeAll(async () => {
    redis = await startRedisServer();
    nodes = await Promise.all([startSampleProcess(env()), startSampleProcess(env())]);
    balancer = await startTcpBalancer(nodes.map((node) => node.port));
  }, 60_000);
  afterAll(async () => {
    clients.forEach((client) => client.close());
    await balancer?.close();
    await Promise.all((nodes ?? []).map((node) => node.stop()));
    await redis?.stop();
  }, 60_000);

  const until = async (check: () => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('loses no announcement and repeats none', async () => {
    const api = new SampleApi(nodes[1]!.url);
    const tokens = await Promise.all(
      Array.from({ length: USERS }, (_, i) => api.login(`roll${i}`)),
    );
    const received: string[][] = [];
    let resets = 0;
    const resubscribes: boolean[] = [];
    // The close codes that ended connections (a node of several closes its clients with 1012).
    const closeCodes: number[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const client = new ChannelsClient({
        url: `http://127.0.0.1:${balancer.port}/channels`,
        token: tokens[i % USERS]!,
        WebSocket,
        transports: ['websocket'],
      });
      clients.push(client);
      client.on('state', (change) => {
        if (change.state === 'reconnecting' && change.code !== undefined)
          closeCodes.push(change.code);
      });
      client.on('subscribed', (info) => {
        if (info.resubscribed) resubscribes.push(info.recovered);
      });
      const mine: string[] = [];
      received.push(mine);
      await client.subscribe<{ id: string }>('broadcast', (data) => mine.push(data.id), {
        onReset: () => resets++,
      });
    }
    const published: string[] = [];
    let publishing = true;
    const publisher = (async () => {
      while (publishing) published.push(await api.announce(tokens[0]!, `n${published.length}`));
    })();
    await until(() => published.length >= 10);

    // Node A leaves the balancer and shuts down; its clients reconnect through it to B.
    const [oldA] = nodes;
    balancer.backends = [nodes[1]!.port];
    await oldA!.stop();
    await until(() => published.length >= 40);
    // A comes back; new connections go to both again.
    nodes[0] = await startSampleProcess(env());
    balancer.backends = nodes.map((node) => node.port);
    await until(() => published.length >= 60);
    publishing = false;
    await publisher;

    await until(() => received.every((ids) => ids.length >= published.length));
    for (const ids of received) expect(ids).toEqual(published);
    expect(resets).toBe(0);
    // The clients of node A (about half) came back on B, and recovered what they missed.
    expect(resubscribes.length).toBeGreaterThanOrEqual(CLIENTS / 4);
    expect(resubscribes.every(Boolean)).toBe(true);
    // Node A told its clients it was restarting (the sample's shutdown.closeCode with REDIS_URL).
    expect(closeCodes.length).toBeGreaterThanOrEqual(CLIENTS / 4);
    expect(new Set(closeCodes)).toEqual(new Set([1012]));
  }, 120_000);
});
