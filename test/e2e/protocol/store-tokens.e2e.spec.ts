import type { INestApplication, Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Broker,
  ChannelGateway,
  ChannelsModule,
  ChannelsService,
  HistoryStore,
  InMemoryHistoryStore,
  InMemoryPresenceStore,
  MemoryRateLimitStore,
  OnJoin,
  PresenceStore,
  RateLimitStore,
  type LimiterConfig,
  type PushFrame,
  type RateLimiter,
} from '../../../lib/index.js';
import { RecordingBroker } from '../../../lib/testing/index.js';
import { TestClient } from '../../support/ws-client.js';
import type { AddressInfo } from 'node:net';

@ChannelGateway()
class RoomGateway {
  @OnJoin('room:{id}', { presence: {} })
  join(): boolean {
    return true;
  }
}

/** A history store that counts its appends. */
class CountingHistoryStore extends InMemoryHistoryStore {
  appends = 0;
  override append(channel: string, event: string, data: unknown): Promise<PushFrame> {
    this.appends++;
    return super.append(channel, event, data);
  }
}

/** A rate-limit store that records the limiters the module asks for. */
class CountingRateLimitStore extends RateLimitStore {
  readonly prefixes: string[] = [];
  private readonly memory = new MemoryRateLimitStore();
  createLimiter(config: LimiterConfig): RateLimiter {
    this.prefixes.push(config.keyPrefix);
    return this.memory.createLimiter(config);
  }
}

/** One way of replacing a token: through forRoot's providers, or Nest's overrideProvider. */
type Replace = (
  token: unknown,
  provider: Omit<Provider & object, 'provide'>,
) => Promise<INestApplication>;

const viaProviders: Replace = async (token, provider) => {
  const moduleRef = await Test.createTestingModule({
    imports: [ChannelsModule.forRoot({ providers: [{ provide: token, ...provider } as Provider] })],
    providers: [RoomGateway],
  }).compile();
  return listen(moduleRef.createNestApplication({ logger: false }));
};

const viaOverride: Replace = async (token, provider) => {
  let builder = Test.createTestingModule({
    imports: [ChannelsModule.forRoot()],
    providers: [RoomGateway],
  });
  const override = builder.overrideProvider(token);
  if ('useValue' in provider) builder = override.useValue(provider.useValue);
  else if ('useClass' in provider) builder = override.useClass(provider.useClass as never);
  else if ('useFactory' in provider)
    builder = override.useFactory({ factory: provider.useFactory as () => unknown });
  const moduleRef = await builder.compile();
  return listen(moduleRef.createNestApplication({ logger: false }));
};

async function listen(app: INestApplication): Promise<INestApplication> {
  await app.listen(0, '127.0.0.1');
  return app;
}
const wsUrl = (app: INestApplication) =>
  `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/channels`;

// Every store and the broker is a DI token: an app replaces it with { provide } in forRoot's
// providers, a test with overrideProvider, and the module then uses the replacement.
describe.each([
  ['forRoot providers', viaProviders],
  ['overrideProvider', viaOverride],
] as const)('replacing the stores through %s', (_how, replace) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('Broker (useValue): publishes go through the replacement', async () => {
    const recorder = new RecordingBroker();
    app = await replace(Broker, { useValue: recorder });
    expect(app.get(Broker)).toBe(recorder);
    await app.get(ChannelsService).publish('room:1', 'hello', { n: 1 });
    expect(recorder.publishedTo('room:1')).toMatchObject([{ event: 'hello', offset: 1 }]);
  });

  it('HistoryStore (useClass): the default broker sequences through it', async () => {
    app = await replace(HistoryStore, { useClass: CountingHistoryStore });
    const history = app.get(HistoryStore);
    expect(history).toBeInstanceOf(CountingHistoryStore);
    await app.get(ChannelsService).publish('room:1', 'hello', 1);
    await app.get(ChannelsService).publish('room:1', 'hello', 2);
    expect((history as CountingHistoryStore).appends).toBe(2);
  });

  it('PresenceStore (useFactory): the presence command answers from it', async () => {
    const store = new InMemoryPresenceStore();
    await store.join('room:1', 'ghost', { seen: 'before' });
    app = await replace(PresenceStore, { useFactory: () => store });
    expect(await app.get(ChannelsService).presence('room:1')).toEqual({
      channel: 'room:1',
      members: [{ key: 'ghost', connections: 1, info: { seen: 'before' } }],
    });
  });

  it('RateLimitStore (useClass): the limiters are made by it', async () => {
    app = await replace(RateLimitStore, { useClass: CountingRateLimitStore });
    const { client } = await TestClient.connect(wsUrl(app));
    await client.request('subscribe', { channel: 'room:1' });
    client.close();
    expect((app.get(RateLimitStore) as CountingRateLimitStore).prefixes).toEqual(
      expect.arrayContaining(['msg', 'handshake']),
    );
  });
});
