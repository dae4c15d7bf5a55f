import {
  Body,
  Controller,
  Post,
  UseFilters,
  type INestApplication,
  type LoggerService,
} from '@nestjs/common';
import { WebSocket } from 'ws';
import { ChannelsClient, type ChannelsClientOptions } from '../../../lib/client/index.js';
import {
  ChannelGateway,
  ChannelsEvents,
  ChannelsException,
  ChannelsHttpExceptionFilter,
  ChannelsModule,
  ChannelsService,
  InMemoryBroker,
  InMemoryHistoryStore,
  InMemoryPresenceStore,
  MessageBody,
  OnJoin,
  OnMessage,
  type PushFrame,
} from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { httpCall, postCommand, RawSseClient } from '../../support/sse-client.js';
import { sleep, waitFor } from '../../support/wait.js';
import { TestClient } from '../../support/ws-client.js';

/**
 * The in-memory broker with a backend a test can take away (`away`), or lose in the middle of a
 * publish (`loseDuringPublish`): a real `Broker`, as a bus that goes down would be.
 */
class SwitchableBroker extends InMemoryBroker {
  away = false;
  loseDuringPublish = false;

  override isReady(): boolean {
    return !this.away && super.isReady();
  }

  override async publish(channel: string, event: string, data: unknown): Promise<PushFrame> {
    if (this.loseDuringPublish) {
      this.loseDuringPublish = false;
      this.away = true;
      throw new Error('bus connection lost');
    }
    return super.publish(channel, event, data);
  }
}

/** Presence in memory, with a backend a test can take away. */
class SwitchablePresenceStore extends InMemoryPresenceStore {
  away = false;

  override isReady(): boolean {
    return !this.away;
  }
}

/** Keeps the lines logged at ERROR. */
class ErrorLog implements LoggerService {
  readonly errors: string[] = [];
  log() {}
  warn() {}
  error(message: unknown, ...rest: unknown[]) {
    this.errors.push([message, ...rest].map(String).join(' '));
  }
}

@ChannelGateway()
class RoomGateway {
  constructor(private readonly channels: ChannelsService) {}

  @OnJoin('room:{id}', { presence: true })
  join(): boolean {
    return true;
  }

  @OnMessage('say')
  async say(@MessageBody() text: string): Promise<{ offset: number }> {
    const push = await this.channels.publish('room:1', 'said', text);
    return { offset: push.offset };
  }
}

@Controller('announce')
@UseFilters(ChannelsHttpExceptionFilter)
class AnnounceController {
  constructor(private readonly channels: ChannelsService) {}

  @Post()
  async announce(@Body() body: { text: string }): Promise<{ offset: number }> {
    return { offset: (await this.channels.publish('room:1', 'said', body.text)).offset };
  }
}

// A broker (or presence store) that cannot reach its backend is a state of the protocol:
// commands that need it answer the retryable UNAVAILABLE, on every path, for any broker.
describe('commands that need the broker while it is away', () => {
  let app: INestApplication;
  let ws: string;
  let http: string;
  let broker: SwitchableBroker;
  let presence: SwitchablePresenceStore;
  const logger = new ErrorLog();
  const sockets: TestClient[] = [];
  const streams: RawSseClient[] = [];
  const clients: ChannelsClient[] = [];
  const unavailableAnswers: string[] = [];

  beforeAll(async () => {
    broker = new SwitchableBroker(new InMemoryHistoryStore());
    presence = new SwitchablePresenceStore();
    ({ app, ws, http } = await startApp(
      {
        imports: [
          ChannelsModule.forRoot({ path: '/rt', stores: { broker: () => broker, presence } }),
        ],
        providers: [RoomGateway],
        controllers: [AnnounceController],
      },
      { logger },
    ));
    app
      .get(ChannelsEvents)
      .on(
        'command.handled',
        (e) => e.result === 'UNAVAILABLE' && unavailableAnswers.push(e.event!),
      );
  });
  afterEach(() => {
    broker.away = presence.away = false;
    unavailableAnswers.splice(0);
    sockets.splice(0).forEach((s) => s.close());
    streams.splice(0).forEach((s) => s.close());
    clients.splice(0).forEach((c) => c.close());
  });
  afterAll(async () => {
    await app.close();
    // Nothing of this is a fault: no ERROR line, however many commands were refused.
    expect(logger.errors).toEqual([]);
  });

  const socket = async () => {
    const { client } = await TestClient.connect(`${ws}/rt`);
    sockets.push(client);
    return client;
  };
  const stream = async (query = '') => {
    const { client, welcome } = await RawSseClient.connect(`${http}/rt/sse${query}`);
    streams.push(client);
    return welcome.json.connectionId as string;
  };
  const unavailable = {
    code: 'UNAVAILABLE',
    status: 503,
    retryAfterMs: 1000,
    message: expect.stringMatching(/retry/),
  };

  it('over WebSocket: subscribe, a handler that publishes and presence answer UNAVAILABLE, then work once it is back', async () => {
    const client = await socket();
    expect((await client.request('subscribe', { channel: 'room:1' })).data).toMatchObject({
      channel: 'room:1',
    });
    broker.away = presence.away = true;
    expect(await client.request('subscribe', { channel: 'room:2' })).toEqual({
      id: 2,
      error: unavailable,
    });
    expect(await client.request('say', 'hello')).toEqual({ id: 3, error: unavailable });
    expect(await client.request('presence', { channel: 'room:1' })).toEqual({
      id: 4,
      error: unavailable,
    });
    // A subscription held from before is kept: a subscribe again is refused, not the channel.
    expect((await client.request('subscribe', { channel: 'room:1' })).error).toEqual(unavailable);
    expect(unavailableAnswers).toEqual(['subscribe', 'say', 'presence', 'subscribe']);

    broker.away = presence.away = false;
    expect((await client.request('subscribe', { channel: 'room:2' })).data).toMatchObject({
      channel: 'room:2',
    });
    const said = await client.request('say', 'hello again');
    expect(said.data).toEqual({ offset: expect.any(Number) });
    const push = await client.next((f) => f.channel === 'room:1' && f.event === 'said');
    expect(push).toMatchObject({ data: 'hello again', offset: said.data.offset });
    expect((await client.request('presence', { channel: 'room:1' })).data).toMatchObject({
      channel: 'room:1',
    });
  });

  it('answers UNAVAILABLE, not INTERNAL, when the broker goes away during the call', async () => {
    const client = await socket();
    broker.loseDuringPublish = true;
    expect(await client.request('say', 'lost')).toEqual({ id: 1, error: unavailable });
  });

  it('over SSE: a POST answers 503 with Retry-After and the UNAVAILABLE frame, and a stream asking for a channel is refused 503', async () => {
    const connectionId = await stream();
    broker.away = true;
    const answer = await postCommand(
      `${http}/rt/messages`,
      { id: 7, event: 'subscribe', data: { channel: 'room:1' } },
      { 'X-Channels-Connection': connectionId },
    );
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.json).toEqual({ id: 7, error: unavailable });
    const refused = await httpCall(`${http}/rt/sse?channel=room:1`, {
      headers: { Accept: 'text/event-stream' },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json).toEqual({ error: unavailable });

    broker.away = false;
    const again = await postCommand(
      `${http}/rt/messages`,
      { id: 8, event: 'subscribe', data: { channel: 'room:1' } },
      { 'X-Channels-Connection': connectionId },
    );
    expect(again.status).toBe(200);
  });

  it("in the app's HTTP controller: ChannelsService.publish rejects UNAVAILABLE, and ChannelsHttpExceptionFilter answers 503 with Retry-After", async () => {
    broker.away = true;
    const channels = app.get(ChannelsService);
    const rejected = await channels.publish('room:1', 'said', 'x').catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(ChannelsException);
    expect((rejected as ChannelsException).toBody()).toEqual(unavailable);
    const answer = await postCommand(`${http}/announce`, { text: 'hi' });
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.json).toEqual({ error: unavailable });
    // The filter answers a ChannelsException of another code with that code's status.
    broker.away = false;
    const bad = await channels.publish('bad name', 'said', 'x').catch((error: unknown) => error);
    expect((bad as ChannelsException).code).toBe('BAD_REQUEST');
    expect((await postCommand(`${http}/announce`, { text: 'hi' })).status).toBe(201);
  });

  describe.each(['websocket', 'sse'] as const)('the client SDK over %s', (transport) => {
    const sdk = (options: Partial<ChannelsClientOptions> = {}) => {
      const client = new ChannelsClient({
        url: `${http}/rt`,
        WebSocket,
        transports: [transport],
        random: () => 0,
        ...options,
      });
      clients.push(client);
      return client;
    };

    it('sends again on its own what was answered UNAVAILABLE, and ends subscribed', async () => {
      const client = sdk();
      await client.connect();
      broker.away = true;
      const got: unknown[] = [];
      const subscribed = client.subscribe('room:3', (data) => got.push(data));
      const said = client.request<{ offset: number }>('say', 'queued', { timeoutMs: 10_000 });
      await waitFor(() => unavailableAnswers.length === 2, 5_000, 'both refused once');
      // The server said 1 s: nothing is sent again before that.
      await sleep(300);
      expect(unavailableAnswers).toHaveLength(2);
      broker.away = false;
      const started = performance.now();
      await subscribed;
      await expect(said).resolves.toEqual({ offset: expect.any(Number) });
      // Sent again once, about 1 s after the first answer (a second retry would be 2 s later).
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(unavailableAnswers.sort()).toEqual(['say', 'subscribe']);
      await app.get(ChannelsService).publish('room:3', 'said', 'live');
      await waitFor(() => got.includes('live'), 5_000, 'the push');
    });

    it('gives up after unavailableRetries, and a request within its timeoutMs', async () => {
      const client = sdk({ unavailableRetries: 1 });
      await client.connect();
      broker.away = true;
      const subscribe = client.subscribe('room:4', () => undefined);
      await expect(subscribe).rejects.toMatchObject({ code: 'UNAVAILABLE', retryAfterMs: 1000 });
      expect(unavailableAnswers).toEqual(['subscribe', 'subscribe']);
      // Its 900 ms leave no room for the 1 s wait before a second try: the first answer is final.
      await expect(client.request('say', 'x', { timeoutMs: 900 })).rejects.toMatchObject({
        code: 'UNAVAILABLE',
      });
      expect(unavailableAnswers).toEqual(['subscribe', 'subscribe', 'say']);
    });
  });
});
