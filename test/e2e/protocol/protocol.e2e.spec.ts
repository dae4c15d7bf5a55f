import type { INestApplication } from '@nestjs/common';
import { ChannelsModule, ChannelsService } from 'nestjs-channels';
import { connectTestClient, type ChannelsTestClient } from 'nestjs-channels/testing';
import { startApp } from '../../support/app.js';
import { PublishController } from '../../support/publish.controller.js';
import { TestClient } from '../../support/ws-client.js';
import { ChatGateway } from './chat.gateways.js';

// Raw frames (the welcome, what cannot be parsed, ids) go through the raw socket client; the
// rest reads like the protocol with nestjs-channels/testing.
describe('protocol v1 over WebSocket', () => {
  let app: INestApplication;
  let url: string;
  let http: string;
  const clients: Array<TestClient | ChannelsTestClient> = [];

  async function connectRaw() {
    const result = await TestClient.connect(url);
    clients.push(result.client);
    return result;
  }

  async function connect() {
    const client = await connectTestClient(app);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    const started = await startApp({
      imports: [ChannelsModule.forRoot({ path: '/channels' })],
      providers: [ChatGateway],
      controllers: [PublishController],
    });
    app = started.app;
    url = `${started.ws}/channels`;
    http = started.http;
  });

  afterEach(() => Promise.all(clients.splice(0).map((c) => c.close())));
  afterAll(() => app.close());

  it('sends the welcome frame first', async () => {
    const { welcome } = await connectRaw();
    expect(welcome).toEqual({
      event: 'connected',
      data: { connectionId: expect.any(String), heartbeatMs: 25000, protocol: 1 },
    });
  });

  it('answers a command with a reply correlated by id', async () => {
    const { client } = await connectRaw();
    expect(await client.request('echo', { a: 1 })).toEqual({ id: 1, data: { a: 1 } });
    expect(await client.request('nothing')).toEqual({ id: 2, data: null });
  });

  it('matches 50 replies in flight to their ids', async () => {
    const client = await connect();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, n) => client.request('slow', { ms: ((50 - n) % 7) * 5, n })),
    );
    expect(answers).toEqual(Array.from({ length: 50 }, (_, n) => n));
  });

  it.each([
    ['not JSON', 'nope{', 'BAD_REQUEST'],
    ['a JSON array', '[1,2]', 'BAD_REQUEST'],
    ['a JSON string', '"hello"', 'BAD_REQUEST'],
    ['no event', '{"data":1}', 'BAD_REQUEST'],
  ])('answers %s with an error frame and keeps the connection', async (_name, text, code) => {
    const { client } = await connectRaw();
    client.send(text);
    expect(await client.next()).toEqual({ error: { code, message: expect.any(String) } });
    expect(await client.request('echo', 'still here')).toEqual({ id: 1, data: 'still here' });
  });

  it('correlates a BAD_REQUEST to the id when the frame has one', async () => {
    const { client } = await connectRaw();
    client.send({ id: 9, data: {} });
    expect(await client.next()).toEqual({
      id: 9,
      error: { code: 'BAD_REQUEST', message: expect.any(String) },
    });
  });

  it('answers an unknown event with UNKNOWN_EVENT, with or without an id', async () => {
    const { client } = await connectRaw();
    expect(await client.request('nope')).toEqual({
      id: 1,
      error: { code: 'UNKNOWN_EVENT', message: 'No handler for event "nope".' },
    });
    client.send({ event: 'nope' });
    expect(await client.next()).toEqual({
      error: { code: 'UNKNOWN_EVENT', message: expect.any(String) },
    });
  });

  it('maps a thrown Error to INTERNAL without leaking it, and keeps the connection', async () => {
    const { client } = await connectRaw();
    const answer = await client.request('throws');
    expect(answer).toEqual({ id: 1, error: { code: 'INTERNAL', message: 'Internal error.' } });
    expect(JSON.stringify(answer)).not.toContain('hunter2');
    expect((await client.request('echo', 1)).data).toBe(1);
  });

  it('maps HttpException and WsException to their codes', async () => {
    const client = await connect();
    await expect(client.request('rejects')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      status: 403,
      message: 'not yours',
    });
    await expect(client.request('ws-error')).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'custom ws failure',
    });
  });

  it.each([
    [400, 'BAD_REQUEST'],
    [401, 'UNAUTHORIZED'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [409, 'CONFLICT'],
    [413, 'PAYLOAD_TOO_LARGE'],
    [418, 'CLIENT_ERROR'],
    [422, 'CLIENT_ERROR'],
    [429, 'RATE_LIMITED'],
    [500, 'INTERNAL'],
    [502, 'INTERNAL'],
    // Service unavailable: the retryable UNAVAILABLE, with a retry hint (1 s by default).
    [503, 'UNAVAILABLE'],
  ])('keeps HttpException %i as its status, code %s', async (status, code) => {
    const client = await connect();
    const error = await client.requestError('http-error', { status });
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    if (status === 503) expect(error.retryAfterMs).toBe(1000);
    if (status >= 500) expect(error.message).not.toMatch(/503|Service Unavailable/);
    if (status >= 500 && status !== 503) expect(error.message).toBe('Internal error.');
    else if (status < 500) expect(error.message).not.toBe('Internal error.');
  });

  it('validates DTOs by default, one detail per field', async () => {
    const client = await connect();
    const error = await client.requestError('message.send', { roomId: '', text: 5, extra: true });
    expect(error.code).toBe('VALIDATION_FAILED');
    const properties = error.details!.map((d) => d.property).sort();
    expect(properties).toEqual(['extra', 'roomId', 'text']);
    for (const detail of error.details!) expect(detail.messages.length).toBeGreaterThan(0);
  });

  it('runs guards, interceptors, pipes and filters on handlers', async () => {
    const client = await connect();
    expect(await client.request('guarded', {})).toBe('passed');
    await expect(client.request('guarded', { deny: true })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await client.request('intercepted')).toEqual({ wrapped: 42 });
    expect(await client.request('piped', { word: 'loud' })).toBe('LOUD');
    expect(await client.request('filtered')).toEqual({ filtered: 'caught by filter' });
  });

  describe('subscriptions', () => {
    it('allows a join the handler allows, and forbids others', async () => {
      const client = await connect();
      expect(await client.subscribe('room:lobby')).toEqual({
        channel: 'room:lobby',
        offset: expect.any(Number),
        epoch: expect.any(String),
        delivery: 'all',
        recovered: false,
        missed: [],
      });
      for (const [channel, code] of [
        ['room:secret', 'FORBIDDEN'],
        ['nomatch', 'FORBIDDEN'],
        ['bad channel!', 'BAD_REQUEST'],
      ])
        await expect(client.subscribe(channel!)).rejects.toMatchObject({ code });
    });

    it('delivers a publish from a handler to subscribers only, except the sender', async () => {
      const [a, b, c] = [await connect(), await connect(), await connect()];
      await a.subscribe('room:r1');
      await b.subscribe('room:r1');
      await c.subscribe('room:r2');
      expect(await a.request('message.send', { roomId: 'r1', text: 'hi' })).toEqual({
        ok: true,
        isDto: true,
      });
      expect(await b.nextPush('room:r1')).toEqual({
        channel: 'room:r1',
        event: 'message.new',
        data: { text: 'hi' },
        offset: 1,
        epoch: expect.any(String),
      });
      // A later push reaches the sender: nothing of the first one is still on its way.
      await app.get(ChannelsService).publish('room:r1', 'marker', {});
      expect((await a.nextPush('room:r1')).event).toBe('marker');
      expect(c.takePushes('room:r1')).toEqual([]);
    });

    it('delivers a publish from an HTTP controller and a service, with increasing offsets', async () => {
      const client = await connect();
      const sub = await client.subscribe('room:http');
      const res = await fetch(`${http}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'room:http', event: 'ping', data: { n: 1 } }),
      });
      expect(res.status).toBe(201);
      await app.get(ChannelsService).publish('room:http', 'ping', { n: 2 });
      const first = await client.nextPush('room:http');
      const second = await client.nextPush('room:http');
      expect([first.offset, second.offset]).toEqual([sub.offset + 1, sub.offset + 2]);
      expect([first.data, second.data]).toEqual([{ n: 1 }, { n: 2 }]);
      expect(first.epoch).toBe(sub.epoch);
    });

    it('stops delivering after unsubscribe', async () => {
      const client = await connect();
      await client.subscribe('room:u');
      await client.subscribe('room:u2');
      expect(await client.unsubscribe('room:u')).toBe(true);
      await app.get(ChannelsService).publish('room:u', 'x', {});
      await app.get(ChannelsService).publish('room:u2', 'after', {});
      // Pushes of one connection arrive in publish order: by the second, the first is not coming.
      expect((await client.nextPush('room:u2')).event).toBe('after');
      expect(client.takePushes('room:u')).toEqual([]);
    });

    it('counts connections and subscriptions, and disconnects by id', async () => {
      const service = app.get(ChannelsService);
      const client = await connect();
      await client.subscribe('room:count');
      expect(service.subscriptionCount('room:count')).toBe(1);
      expect(service.connectionCount()).toBeGreaterThanOrEqual(1);
      expect(service.disconnect({ connectionId: client.connectionId }, 4403, 'bye')).toBe(1);
      expect(await client.expectClose(4403)).toEqual({ code: 4403, reason: 'bye' });
      await new Promise((r) => setTimeout(r, 20));
      expect(service.subscriptionCount('room:count')).toBe(0);
    });
  });
});
