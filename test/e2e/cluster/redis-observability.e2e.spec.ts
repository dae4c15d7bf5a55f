import type { INestApplication } from '@nestjs/common';
import { Registry } from 'prom-client';
import { ChannelsHealthModule } from '../../../lib/health/index.js';
import {
  ChannelGateway,
  ChannelsEvents,
  ChannelsModule,
  ChannelsService,
  HistoryStore,
  OnJoin,
  type ChannelsEventOf,
} from '../../../lib/index.js';
import { ChannelsMetricsModule } from '../../../lib/metrics/index.js';
import { HealthController } from '../../../sample/src/observability/health.controller.js';
import { startApp } from '../../support/app.js';
import { parsePrometheusText, sampleValue } from '../../support/prometheus-text.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { TestClient } from '../../support/ws-client.js';

/** Lets anyone join any channel. */
@ChannelGateway()
class OpenGateway {
  @OnJoin('room:{id}')
  join(): boolean {
    return true;
  }
}

const until = async (condition: () => Promise<boolean> | boolean, what: string) => {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
};

// The Redis broker wired to the observability hooks: health PINGs Redis, broker errors and
// round trips reach the metrics, and clusterStats() asks the other node through Redis.
describe('RedisBroker: health, broker metrics and cluster stats', () => {
  let redis: RedisServer;
  let nodes: Array<{ app: INestApplication; ws: string; http: string }>;
  const registry = new Registry();
  const brokerErrors: Array<ChannelsEventOf<'broker.error'>> = [];

  const metric = async (name: string, labels?: Record<string, string>) =>
    sampleValue(parsePrometheusText(await registry.metrics()), name, labels) ?? 0;

  beforeAll(async () => {
    redis = await startRedisServer();
    const node = (observed: boolean) =>
      startApp({
        imports: [
          ChannelsModule.forRoot({ stores: { redis: { url: redis.url } } }),
          ...(observed
            ? [
                ChannelsMetricsModule.forRoot({ registry, enabled: true }),
                ChannelsHealthModule.forRoot({ brokerTimeoutMs: 1_000 }),
              ]
            : []),
        ],
        controllers: observed ? [HealthController] : [],
        providers: [OpenGateway],
      });
    nodes = [await node(true), await node(false)];
    nodes[0]!.app.get(ChannelsEvents).on('broker.error', (e) => brokerErrors.push(e));
  });
  afterAll(async () => {
    for (const node of nodes ?? []) await node.app.close();
    await redis?.stop();
  });

  it('lists both nodes in clusterStats(), each with its own counts', async () => {
    const { client } = await TestClient.connect(`${nodes[1]!.ws}/channels`);
    await client.request('subscribe', { channel: 'room:stats' });
    const [a, b] = nodes.map((n) => n.app.get(ChannelsService));
    const stats = await a!.clusterStats();
    expect(stats).toHaveLength(2);
    expect(stats).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ node: a!.nodeStats().node, subscriptions: 0 }),
        expect.objectContaining({
          node: b!.nodeStats().node,
          connections: { websocket: 1, sse: 0 },
          subscriptions: 1,
          channels: 1,
        }),
      ]),
    );
    expect(a!.nodeStats().node).not.toBe(b!.nodeStats().node);
    client.close();
    await client.closed;
  });

  it('observes the round trip of a push published on a node with subscribers of its channel', async () => {
    const { client } = await TestClient.connect(`${nodes[0]!.ws}/channels`);
    await client.request('subscribe', { channel: 'room:rt' });
    const before = await metric('channels_broker_publish_roundtrip_seconds_count');
    await nodes[0]!.app.get(ChannelsService).publish('room:rt', 'hi', 1);
    await client.next((f) => f.channel === 'room:rt');
    await until(
      async () => (await metric('channels_broker_publish_roundtrip_seconds_count')) > before,
      'the round trip to be observed',
    );
    // A push another node published is no round trip of this one.
    const after = await metric('channels_broker_publish_roundtrip_seconds_count');
    await nodes[1]!.app.get(ChannelsService).publish('room:rt', 'hi', 2);
    await client.next((f) => f.channel === 'room:rt');
    expect(await metric('channels_broker_publish_roundtrip_seconds_count')).toBe(after);
    client.close();
    await client.closed;
  });

  it('is down (503) and counts broker errors while redis-server is stopped, up again after', async () => {
    const http = nodes[0]!.http;
    expect((await fetch(`${http}/health`)).status).toBe(200);
    expect(await metric('channels_broker_errors_total', { operation: 'publish' })).toBe(0);

    await redis.stop();
    const down = await fetch(`${http}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      error: { channels: { status: 'down', reason: 'broker unreachable' } },
    });
    await expect(nodes[0]!.app.get(ChannelsService).publish('room:x', 'e', 1)).rejects.toThrow();
    expect(await metric('channels_broker_errors_total', { operation: 'publish' })).toBe(1);
    // A history read (a subscribe with recovery asks for one) fails and is counted too.
    await expect(nodes[0]!.app.get(HistoryStore).read('room:x')).rejects.toThrow();
    expect(await metric('channels_broker_errors_total', { operation: 'history' })).toBe(1);
    // ioredis keeps trying to reconnect; each failed attempt is reported.
    await until(
      async () => (await metric('channels_broker_errors_total', { operation: 'connection' })) > 0,
      'a connection error to be counted',
    );
    expect(brokerErrors.some((e) => e.operation === 'connection')).toBe(true);

    await redis.restart();
    await until(async () => (await fetch(`${http}/health`)).status === 200, 'health to recover');
    await nodes[0]!.app.get(ChannelsService).publish('room:x', 'e', 2);
  });
});
