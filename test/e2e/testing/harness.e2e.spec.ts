import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ChannelsModule, ChannelsService } from 'nestjs-channels';
import {
  ChannelsTestHarness,
  connectTestClient,
  RecordingBroker,
  RefusedConnectionError,
} from 'nestjs-channels/testing';
import { ChatGateway, Notifier, RoomsGateway, TokenGuard } from '../protocol/chat.gateways.js';

// Nothing here listens: the module starts without transports, the harness runs handlers in
// process, and the recording broker shows what was published.
describe('the in-process harness', () => {
  let moduleRef: INestApplicationContext;
  let harness: ChannelsTestHarness;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        ChannelsModule.forRoot({ transports: false, auth: { handshakeGuards: [TokenGuard] } }),
      ],
      providers: [RoomsGateway],
    }).compile();
    moduleRef.useLogger(false);
    harness = await ChannelsTestHarness.create(moduleRef);
  });
  afterAll(() => moduleRef.close());

  it('runs a command with a chosen principal: guards, the DTO pipe and the handler', async () => {
    const alice = await harness.connect({ principal: { id: 'alice' } });
    await alice.subscribe('room:lobby');
    expect(await alice.request('chat.send', { room: 'lobby', text: 'hi' })).toEqual({ sent: true });
    expect((await alice.nextPush('room:lobby')).data).toEqual({ from: 'alice', text: 'hi' });
    await expect(alice.request('chat.send', { room: 'lobby' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ property: 'text' }],
    });
  });

  it('runs a join through @OnJoin', async () => {
    const bob = await harness.connect({ principal: { id: 'bob' } });
    await expect(bob.subscribe('room:secret')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(bob.subscribe('elsewhere')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('runs the handshake guards when no principal is given', async () => {
    const carol = await harness.connect({ token: 'carol' });
    expect(carol.serverConnection.principal).toEqual({ id: 'carol' });
    await expect(harness.connect()).rejects.toBeInstanceOf(RefusedConnectionError);
    await expect(harness.connect({ token: 'banned' })).rejects.toMatchObject({ closeCode: 4403 });
  });

  it('is what to use when transports are off, as connectTestClient says', async () => {
    const app = (
      await Test.createTestingModule({
        imports: [ChannelsModule.forRoot({ transports: false })],
      }).compile()
    ).createNestApplication({ logger: false });
    await expect(connectTestClient(app)).rejects.toThrow(/transports: false.*ChannelsTestHarness/);
    await app.close();
  });

  it('registers the connection, so the service can disconnect it', async () => {
    const dave = await harness.connect({ principal: { id: 'dave' } });
    expect(moduleRef.get(ChannelsService).disconnect({ principal: { id: 'dave' } }, 4401)).toBe(1);
    expect((await dave.expectClose(4401)).code).toBe(4401);
  });
});

describe('the in-process harness on a gateway with its own enhancers', () => {
  let moduleRef: INestApplicationContext;
  let harness: ChannelsTestHarness;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [ChannelsModule.forRoot({ transports: false })],
      providers: [ChatGateway],
    }).compile();
    // The 'throws' handler's error is logged, as it should be; not in this test's output.
    moduleRef.useLogger(false);
    harness = await ChannelsTestHarness.create(moduleRef);
  });
  afterAll(() => moduleRef.close());

  it('runs method guards, interceptors, pipes and filters', async () => {
    const client = await harness.connect({ principal: 'anyone' });
    expect(await client.request('guarded', {})).toBe('passed');
    await expect(client.request('guarded', { deny: true })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await client.request('intercepted')).toEqual({ wrapped: 42 });
    expect(await client.request('piped', { word: 'loud' })).toBe('LOUD');
    expect(await client.request('filtered')).toEqual({ filtered: 'caught by filter' });
    await expect(client.request('throws')).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'Internal error.',
    });
  });

  it('says which transport the connection is on', async () => {
    const sse = await harness.connect({ principal: 'anyone', transport: 'sse' });
    // ChatGateway lets only WebSocket clients join rooms.
    await expect(sse.subscribe('room:lobby')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('the in-process harness over an app', () => {
  it('runs the global guards the app was given', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ChannelsModule.forRoot({})],
      providers: [ChatGateway],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalGuards({ canActivate: (context) => context.getType() !== 'ws' });
    const harness = await ChannelsTestHarness.create(app);
    const client = await harness.connect({ principal: 'anyone' });
    await expect(client.request('echo', 1)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await app.close();
  });
});

describe('a service test with transports: false and the recording broker', () => {
  it('init()s without an HTTP server and records what the service published', async () => {
    const recorder = new RecordingBroker();
    const moduleRef = await Test.createTestingModule({
      imports: [ChannelsModule.forRoot({ transports: false, stores: { broker: recorder } })],
      providers: [Notifier],
    }).compile();
    await moduleRef.init();
    await moduleRef.get(Notifier).notify('42', 'Hello');
    expect(recorder.publishedTo('user:42')).toEqual([
      {
        channel: 'user:42',
        event: 'notification',
        data: { text: 'Hello' },
        offset: 1,
        epoch: expect.any(String),
        except: [],
      },
    ]);
    recorder.clear();
    expect(recorder.published).toEqual([]);
    await moduleRef.close();
  });

  it('without the option, init() starts without transports, as Nest gateways do', async () => {
    const recorder = new RecordingBroker();
    const moduleRef = await Test.createTestingModule({
      imports: [ChannelsModule.forRoot({ stores: { broker: recorder } })],
      providers: [Notifier],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    await moduleRef.get(Notifier).notify('7', 'Hi');
    expect(recorder.publishedTo('user:7')).toHaveLength(1);
    await moduleRef.close();
  });
});
