import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { ChannelsHealthModule } from '../../../lib/health/index.js';
import {
  ChannelsModule,
  ChannelsService,
  InMemoryBroker,
  type PushFrame,
} from '../../../lib/index.js';
import { ChannelsMetricsModule } from '../../../lib/metrics/index.js';
import { HealthController } from '../../../sample/src/observability/health.controller.js';
import { PLATFORMS, startApp } from '../../support/app.js';
import { parsePrometheusText, sampleValue } from '../../support/prometheus-text.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';

/**
 * A broker with a real backend behind it, as far as health and broker metrics go: it answers
 * `healthy()` with a Redis PING, and reports each publish's round trip through Redis, or its
 * failure, the way a broker does (`report()`).
 */
class PingingBroker extends InMemoryBroker {
  constructor(private readonly redis: Redis) {
    super();
  }

  override async healthy(): Promise<boolean> {
    return (await this.redis.ping()) === 'PONG';
  }

  override async publish(
    channel: string,
    event: string,
    data: unknown,
    except?: readonly string[],
  ): Promise<PushFrame> {
    const started = performance.now();
    try {
      await this.redis.publish(`channels:${channel}`, JSON.stringify({ event, data }));
    } catch (error) {
      this.report({ type: 'broker.error', operation: 'publish', error });
      throw error;
    }
    this.report({ type: 'broker.roundtrip', durationMs: performance.now() - started });
    return super.publish(channel, event, data, except);
  }
}

describe.each(PLATFORMS)('health and broker metrics with a real Redis, on %s', (platform) => {
  let redis: RedisServer;
  let client: Redis;
  let app: INestApplication;
  let http: string;
  const registry = new Registry();

  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.port, '127.0.0.1', {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 100,
      enableOfflineQueue: false,
    });
    client.on('error', () => undefined);
    // Without an offline queue, a PING before the connection is up fails: start once it is.
    if (client.status !== 'ready') await new Promise((ready) => client.once('ready', ready));
    ({ app, http } = await startApp(
      {
        imports: [
          ChannelsModule.forRoot({ path: '/rt', stores: { broker: new PingingBroker(client) } }),
          ChannelsMetricsModule.forRoot({ registry, enabled: true }),
          ChannelsHealthModule.forRoot({ brokerTimeoutMs: 500 }),
        ],
        controllers: [HealthController],
      },
      {},
      { platform },
    ));
  });
  afterAll(async () => {
    await app.close();
    client.disconnect();
    await redis.stop();
  });

  it('is up with Redis, down (503) while redis-server is stopped, and counts broker errors', async () => {
    const up = await fetch(`${http}/health`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ info: { channels: { status: 'up' } } });
    await app.get(ChannelsService).publish('room:a', 'hello', 1);
    let metrics = parsePrometheusText(await registry.metrics());
    expect(sampleValue(metrics, 'channels_broker_publish_roundtrip_seconds_count')).toBe(1);
    expect(sampleValue(metrics, 'channels_publishes_total')).toBe(1);

    await redis.stop();
    const down = await fetch(`${http}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      error: { channels: { status: 'down', reason: 'broker unreachable' } },
    });
    await expect(app.get(ChannelsService).publish('room:a', 'hello', 2)).rejects.toThrow();
    metrics = parsePrometheusText(await registry.metrics());
    expect(sampleValue(metrics, 'channels_broker_errors_total', { operation: 'publish' })).toBe(1);
    expect(sampleValue(metrics, 'channels_publishes_total')).toBe(1);
  });
});
