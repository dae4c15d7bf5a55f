import type { INestApplication } from '@nestjs/common';
import { ChannelsModule, ChannelsService } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { TestClient } from '../../support/ws-client.js';
import { ChatGateway, PublishController } from './fixtures.js';

describe('protocol v1 over WebSocket', () => {
  let app: INestApplication;
  let url: string;
  let http: string;
  const clients: TestClient[] = [];

  async function connect() {
    const result = await TestClient.connect(url);
    clients.push(result.client);
    return result;
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

  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  it('sends the welcome frame first', async () => {
    const { welcome } = await connect();
    expect(welcome).toEqual({
      event: 'connected',
      data: { connectionId: expect.any(String), heartbeatMs: 25000, protocol: 1 },
    });
  });

  it('answers a command with a reply correlated by id', async () => {
    const { client } = await connect();
    expect(await client.request('echo', { a: 1 })).toEqual({ id: 1, data: { a: 1 } });
    expect(await client.request('nothing')).toEqual({ id: 2, data: null });
  });

  it('matches 50 replies in flight to their ids', async () => {
    const { client } = await connect();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, n) => client.request('slow', { ms: ((50 - n) % 7) * 5, n })),
    );
    answers.forEach((answer, n) => expect(answer).toEqual({ id: n + 1, data: n }));
  });

  it.each([
    ['not JSON', 'nope{', 'BAD_REQUEST'],
    ['a JSON array', '[1,2]', 'BAD_REQUEST'],
    ['a JSON string', '"hello"', 'BAD_REQUEST'],
    ['no event', '{"data":1}', 'BAD_REQUEST'],
  ])('answers %s with an error frame and keeps the connection', async (_name, text, code) => {
    const { client } = await connect();
    client.send(text);
    expect(await client.next()).toEqual({ error: { code, message: expect.any(String) } });
    expect(await client.request('echo', 'still here')).toEqual({ id: 1, data: 'still here' });
  });

  it('correlates a BAD_REQUEST to the id when the frame has one', async () => {
    const { client } = await connect();
    client.send({ id: 9, data: {} });
    expect(await client.next()).toEqual({
      id: 9,
      error: { code: 'BAD_REQUEST', message: expect.any(String) },
    });
  });

  it('answers an unknown event with UNKNOWN_EVENT, with or without an id', async () => {
    const { client } = await connect();
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
    const { client } = await connect();
    const answer = await client.request('throws');
    expect(answer).toEqual({ id: 1, error: { code: 'INTERNAL', message: 'Internal error.' } });
    expect(JSON.stringify(answer)).not.toContain('hunter2');
    expect((await client.request('echo', 1)).data).toBe(1);
  });

  it('maps HttpException and WsException to their codes', async () => {
    const { client } = await connect();
    expect((await client.request('rejects')).error).toEqual({
      code: 'FORBIDDEN',
      status: 403,
      message: 'not yours',
    });
    expect((await client.request('ws-error')).error).toEqual({
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
    [503, 'INTERNAL'],
  ])('keeps HttpException %i as its status, code %s', async (status, code) => {
    const { client } = await connect();
    const { error } = await client.request('http-error', { status });
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    if (status >= 500) expect(error.message).toBe('Internal error.');
    else expect(error.message).not.toBe('Internal error.');
  });

  it('validates DTOs by default, one detail per field', async () => {
    const { client } = await connect();
    const answer = await client.request('message.send', { roomId: '', text: 5, extra: true });
    expect(answer.error.code).toBe('VALIDATION_FAILED');
    const properties = answer.error.details.map((d: { property: string }) => d.property).sort();
    expect(properties).toEqual(['extra', 'roomId', 'text']);
    for (const detail of answer.error.details) expect(detail.messages.length).toBeGreaterThan(0);
  });

  it('runs guards, interceptors, pipes and filters on handlers', async () => {
    const { client } = await connect();
    expect(await client.request('guarded', {})).toEqual({ id: 1, data: 'passed' });
    expect((await client.request('guarded', { deny: true })).error.code).toBe('FORBIDDEN');
    expect((await client.request('intercepted')).data).toEqual({ wrapped: 42 });
    expect((await client.request('piped', { word: 'loud' })).data).toBe('LOUD');
    expect((await client.request('filtered')).data).toEqual({ filtered: 'caught by filter' });
  });

  describe('subscriptions', () => {
    it('allows a join the handler allows, and forbids others', async () => {
      const { client } = await connect();
      expect(await client.request('subscribe', { channel: 'room:lobby' })).toEqual({
        id: 1,
        data: {
          channel: 'room:lobby',
          offset: expect.any(Number),
          epoch: expect.any(String),
          recovered: false,
          missed: [],
        },
      });
      expect((await client.request('subscribe', { channel: 'room:secret' })).error.code).toBe(
        'FORBIDDEN',
      );
      expect((await client.request('subscribe', { channel: 'nomatch' })).error.code).toBe(
        'FORBIDDEN',
      );
      expect((await client.request('subscribe', { channel: 'bad channel!' })).error.code).toBe(
        'BAD_REQUEST',
      );
    });

    it('delivers a publish from a handler to subscribers only, except the sender', async () => {
      const [a, b, c] = [await connect(), await connect(), await connect()];
      await a.client.request('subscribe', { channel: 'room:r1' });
      await b.client.request('subscribe', { channel: 'room:r1' });
      await c.client.request('subscribe', { channel: 'room:r2' });
      expect((await a.client.request('message.send', { roomId: 'r1', text: 'hi' })).data).toEqual({
        ok: true,
        isDto: true,
      });
      const push = await b.client.next((f) => f.channel === 'room:r1');
      expect(push).toEqual({
        channel: 'room:r1',
        event: 'message.new',
        data: { text: 'hi' },
        offset: 1,
        epoch: expect.any(String),
      });
      expect(await a.client.pushesWithin('room:r1', 100)).toEqual([]);
      expect(await c.client.pushesWithin('room:r1', 0)).toEqual([]);
    });

    it('delivers a publish from an HTTP controller and a service, with increasing offsets', async () => {
      const { client } = await connect();
      const sub = await client.request('subscribe', { channel: 'room:http' });
      const res = await fetch(`${http}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'room:http', event: 'ping', data: { n: 1 } }),
      });
      expect(res.status).toBe(201);
      await app.get(ChannelsService).publish('room:http', 'ping', { n: 2 });
      const first = await client.next((f) => f.channel === 'room:http');
      const second = await client.next((f) => f.channel === 'room:http');
      expect([first.offset, second.offset]).toEqual([sub.data.offset + 1, sub.data.offset + 2]);
      expect([first.data, second.data]).toEqual([{ n: 1 }, { n: 2 }]);
      expect(first.epoch).toBe(sub.data.epoch);
    });

    it('stops delivering after unsubscribe', async () => {
      const { client } = await connect();
      await client.request('subscribe', { channel: 'room:u' });
      expect((await client.request('unsubscribe', { channel: 'room:u' })).data).toEqual({
        channel: 'room:u',
        unsubscribed: true,
      });
      await app.get(ChannelsService).publish('room:u', 'x', {});
      expect(await client.pushesWithin('room:u', 100)).toEqual([]);
    });

    it('counts connections and subscriptions, and disconnects by id', async () => {
      const service = app.get(ChannelsService);
      const { client, welcome } = await connect();
      await client.request('subscribe', { channel: 'room:count' });
      expect(service.subscriptionCount('room:count')).toBe(1);
      expect(service.connectionCount()).toBeGreaterThanOrEqual(1);
      expect(service.disconnect({ connectionId: welcome.data.connectionId }, 4403, 'bye')).toBe(1);
      expect(await client.closed).toEqual({ code: 4403, reason: 'bye' });
      await new Promise((r) => setTimeout(r, 20));
      expect(service.subscriptionCount('room:count')).toBe(0);
    });
  });
});
