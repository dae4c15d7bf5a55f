import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ChannelsModule, ChannelsService } from 'nestjs-channels';
import {
  ChannelsError,
  connectTestClient,
  RefusedConnectionError,
  type ChannelsTestClient,
} from 'nestjs-channels/testing';
import { RoomsGateway, TokenGuard } from '../protocol/chat.gateways.js';

describe.each(['websocket', 'sse'] as const)('the test client over %s', (transport) => {
  let app: INestApplication;
  const clients: ChannelsTestClient[] = [];
  const connect = async (token: string) => {
    const client = await connectTestClient(app, { transport, token });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ChannelsModule.forRoot({ history: { size: 10 }, auth: { handshakeGuards: [TokenGuard] } }),
      ],
      providers: [RoomsGateway],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
  });
  afterEach(() => Promise.all(clients.splice(0).map((client) => client.close())));
  afterAll(() => app.close());

  it('starts the app, connects with a token, and says which transport it speaks', async () => {
    const alice = await connect('alice');
    expect(alice.transport).toBe(transport);
    expect(app.getHttpServer().listening).toBe(true);
    expect(app.get(ChannelsService).getConnection(alice.connectionId)).toBeDefined();
  });

  it('subscribes, requests, and reads the push the request published', async () => {
    const [alice, bob] = [await connect('alice'), await connect('bob')];
    expect(await bob.subscribe('room:lobby')).toMatchObject({ channel: 'room:lobby', offset: 0 });
    expect(await alice.request('chat.send', { room: 'lobby', text: 'hi' })).toEqual({ sent: true });
    const push = await bob.nextPush('room:lobby', { event: 'chat' });
    expect(push).toMatchObject({ offset: 1, data: { from: 'alice', text: 'hi' } });
  });

  it('rejects a request with the typed error, its code and details', async () => {
    const alice = await connect('alice');
    const error = await alice.requestError('chat.send', { room: '', text: 'x' });
    expect(error).toBeInstanceOf(ChannelsError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ property: 'room' }] });
    await expect(alice.subscribe('room:secret')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(alice.request('nope')).rejects.toMatchObject({ code: 'UNKNOWN_EVENT' });
    await expect(alice.requestError('chat.send', { room: 'elsewhere', text: 'b' })).rejects.toThrow(
      '"chat.send" was expected to fail, and replied {"sent":true}.',
    );
  });

  it('replays what was missed with since', async () => {
    const alice = await connect('alice');
    const first = await alice.subscribe('room:replay');
    const service = app.get(ChannelsService);
    for (const n of [1, 2]) await service.publish('room:replay', 'n', { n });
    const again = await connect('alice');
    const reply = await again.subscribe('room:replay', {
      since: { epoch: first.epoch, offset: first.offset + 1 },
    });
    expect(reply).toMatchObject({ recovered: true, missed: [{ data: { n: 2 } }] });
  });

  it('fails a wait for a push with the channel, the timeout and what did arrive', async () => {
    const alice = await connect('alice');
    await alice.subscribe('room:a');
    await app.get(ChannelsService).publish('room:a', 'other', {});
    await expect(alice.nextPush('room:b', { timeoutMs: 50 })).rejects.toThrow(
      'No push on "room:b" within 50 ms. Received and not taken: room:a other #1.',
    );
  });

  it('refuses a connection without credentials with the close code of either transport', async () => {
    const refused = await connectTestClient(app, { transport }).catch((e) => e);
    expect(refused).toBeInstanceOf(RefusedConnectionError);
    expect(refused).toMatchObject({ closeCode: 4401 });
    await expect(connectTestClient(app, { transport, token: 'banned' })).rejects.toMatchObject({
      closeCode: 4403,
    });
  });

  it('expects a close code, and names the one it got instead', async () => {
    const alice = await connect('alice');
    app.get(ChannelsService).disconnect({ connectionId: alice.connectionId }, 4403, 'bye');
    expect(await alice.expectClose(4403)).toEqual({ code: 4403, reason: 'bye' });
    await expect(alice.expectClose(1000)).rejects.toThrow(
      'Expected close code 1000, got 4403 ("bye").',
    );
    await expect(alice.request('chat.send', {})).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });
});
