import { Injectable, Module, type INestApplication } from '@nestjs/common';
import {
  ChannelGateway,
  ChannelsModule,
  ChannelsService,
  InMemoryBroker,
  InMemoryHistoryStore,
  OnJoin,
  type PushFrame,
} from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { TestClient } from '../../support/ws-client.js';

/** Lets anyone join any channel; `?user=` names the principal. */
@ChannelGateway()
class OpenGateway {
  @OnJoin('room:{id}')
  join(): boolean {
    return true;
  }
}

/** A broker that records what the hub hands it, and is slow to start. */
class RecordingBroker extends InMemoryBroker {
  readonly published: PushFrame[] = [];
  started = false;
  override async start(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 200));
    this.started = true;
  }
  override async publish(
    channel: string,
    event: string,
    data: unknown,
    except?: readonly string[],
  ): Promise<PushFrame> {
    const push = await super.publish(channel, event, data, except);
    this.published.push(push);
    return push;
  }
}

@Injectable()
class RedisSettings {
  constructor(readonly url: string) {}
}

describe('ChannelsModule: supplying a broker', () => {
  it('uses the broker the `stores.broker` option makes, started before the app listens', async () => {
    const broker = new RecordingBroker();
    const { app } = await startApp({
      imports: [ChannelsModule.forRoot({ stores: { broker: () => broker } })],
      providers: [OpenGateway],
    });
    try {
      // app.listen() resolved: the broker had started.
      expect(broker.started).toBe(true);
      await app.get(ChannelsService).publish('room:1', 'hello', { n: 1 });
      expect(broker.published).toEqual([expect.objectContaining({ channel: 'room:1', offset: 1 })]);
    } finally {
      await app.close();
    }
  });
});

describe('ChannelsModule with redis: two nodes in one process', () => {
  let redis: RedisServer;
  let nodes: Array<{ app: INestApplication; ws: string }>;

  beforeAll(async () => {
    redis = await startRedisServer();
    const node = () =>
      startApp({
        imports: [
          ChannelsModule.forRootAsync({
            imports: [SettingsModule.forUrl(redis.url)],
            inject: [RedisSettings],
            useFactory: (settings: RedisSettings) => ({
              stores: { redis: { url: settings.url } },
              auth: { principalKey: (p: unknown) => (p as { id?: string }).id },
            }),
          }),
        ],
        providers: [OpenGateway],
      });
    nodes = [await node(), await node()];
  });
  afterAll(async () => {
    for (const node of nodes ?? []) await node.app.close();
    await redis?.stop();
  });

  it('delivers a push published on node B to a subscriber on node A, once, in offset order', async () => {
    const { client } = await TestClient.connect(`${nodes[0]!.ws}/channels`);
    const reply = await client.request('subscribe', { channel: 'room:x' });
    expect(reply.data).toMatchObject({ offset: 0, recovered: false });
    const service = nodes[1]!.app.get(ChannelsService);
    const published = await service.publish('room:x', 'hi', 1);
    await service.publish('room:x', 'hi', 2);
    const first = await client.next((f) => f.channel === 'room:x');
    const second = await client.next((f) => f.channel === 'room:x');
    expect([first.offset, second.offset]).toEqual([1, 2]);
    expect(first.epoch).toBe(published.epoch);
    expect(await client.pushesWithin('room:x', 200)).toEqual([]);
    client.close();
  });

  it('recovers on node B what a client missed after it left node A', async () => {
    const a = await TestClient.connect(`${nodes[0]!.ws}/channels`);
    const joined = await a.client.request('subscribe', { channel: 'room:y' });
    const service = nodes[0]!.app.get(ChannelsService);
    await service.publish('room:y', 'm', 1);
    const seen = await a.client.next((f) => f.channel === 'room:y');
    a.client.close();
    await a.client.closed;
    await service.publish('room:y', 'm', 2);
    await service.publish('room:y', 'm', 3);
    const b = await TestClient.connect(`${nodes[1]!.ws}/channels`);
    const resumed = await b.client.request('subscribe', {
      channel: 'room:y',
      since: { epoch: joined.data.epoch, offset: seen.offset },
    });
    expect(resumed.data.recovered).toBe(true);
    expect(resumed.data.missed.map((p: PushFrame) => p.data)).toEqual([2, 3]);
    b.client.close();
  });

  it('disconnects a connection on node A when node B is asked to', async () => {
    const { client, welcome } = await TestClient.connect(`${nodes[0]!.ws}/channels`);
    const service = nodes[1]!.app.get(ChannelsService);
    // Not on B itself: closed on A, through Redis.
    expect(service.disconnect({ connectionId: welcome.data.connectionId }, 4403, 'banned')).toBe(0);
    expect(await client.closed).toEqual({ code: 4403, reason: 'banned' });
  });
});

describe('ChannelsModule with redis for rate limits only', () => {
  it('shares the handshake limit between apps that keep their own broker and history', async () => {
    const redis = await startRedisServer();
    const app = () =>
      startApp({
        imports: [
          ChannelsModule.forRoot({
            stores: {
              redis: { url: redis.url },
              broker: () => new InMemoryBroker(),
              history: () => new InMemoryHistoryStore(),
            },
            rateLimits: { connection: { points: 1, durationMs: 10_000 } },
          }),
        ],
        providers: [OpenGateway],
      });
    const [a, b] = [await app(), await app()];
    try {
      const first = await TestClient.connect(`${a.ws}/channels`);
      // The one handshake of the window was spent on the other app.
      const second = await TestClient.open(`${b.ws}/channels`);
      expect((await second.closed).code).toBe(4429);
      first.client.close();
    } finally {
      await a.app.close();
      await b.app.close();
      await redis.stop();
    }
  });
});

@Module({})
class SettingsModule {
  static forUrl(url: string) {
    return {
      module: SettingsModule,
      providers: [{ provide: RedisSettings, useValue: new RedisSettings(url) }],
      exports: [RedisSettings],
    };
  }
}
