import type { INestApplication } from '@nestjs/common';
import { ChannelsService } from '../../../lib/index.js';
import { encodeCursor } from '../../../lib/transports/sse-cursor.js';
import { PublishController } from '../../support/publish.controller.js';
import { httpCall, RawSseClient } from '../../support/sse-client.js';
import { AUTH } from '../../support/token.guard.js';
import { TokenGuard, startSseApp } from './sse.gateway.js';

describe('SSE stream: handshake, join authorization, opening', () => {
  let app: INestApplication;
  let base: string;
  let channels: ChannelsService;
  const clients: RawSseClient[] = [];

  async function open(query: string, headers: Record<string, string> = AUTH('alice')) {
    const client = await RawSseClient.open(`${base}/channels/sse${query}`, headers);
    clients.push(client);
    return client;
  }

  async function expectRefused(client: RawSseClient, status: number, code: string) {
    expect(client.status).toBe(status);
    expect(client.headers['content-type']).toMatch(/^application\/json/);
    // A guard's HttpException also carries its status in the body.
    const { error } = JSON.parse(await client.body());
    expect(error).toEqual({ code, message: expect.any(String), ...(error.status && { status }) });
  }

  beforeAll(async () => {
    ({ app, base, channels } = await startSseApp(
      {
        auth: { handshakeGuards: [TokenGuard], allowedOrigins: ['https://app.example'] },
        sse: { retryMs: 1234, heartbeatMs: 60_000 },
      },
      [PublishController],
    ));
  });

  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  it('refuses a request without credentials with 401 JSON and no stream', async () => {
    await expectRefused(await open('?channel=room:lobby', {}), 401, 'UNAUTHORIZED');
    expect(channels.connectionCount()).toBe(0);
  });

  it('refuses a principal the handshake guard rejects with 403 JSON', async () => {
    await expectRefused(await open('?channel=room:lobby', AUTH('banned')), 403, 'FORBIDDEN');
  });

  it('refuses a foreign Origin with 403 before authentication', async () => {
    await expectRefused(
      await open('', { ...AUTH('alice'), Origin: 'https://evil.example' }),
      403,
      'FORBIDDEN',
    );
  });

  it('runs join authorization on every channel before the 200: one refusal is a 403, nothing subscribed', async () => {
    await expectRefused(await open('?channel=room:lobby&channel=room:secret'), 403, 'FORBIDDEN');
    await expectRefused(await open('?channel=user:bob'), 403, 'FORBIDDEN');
    expect(channels.connectionCount()).toBe(0);
    expect(channels.subscriptionCount()).toBe(0);
  });

  it('answers an invalid channel name or cursor with 400 JSON', async () => {
    await expectRefused(await open('?channel=bad%20name'), 400, 'BAD_REQUEST');
    await expectRefused(
      await open('?channel=room:lobby&lastEventId=not-a-cursor!'),
      400,
      'BAD_REQUEST',
    );
    await expectRefused(
      await open('', { ...AUTH('alice'), 'Last-Event-ID': 'e30x' }),
      400,
      'BAD_REQUEST',
    );
  });

  it('opens with the SSE headers, retry:, then connected carrying the welcome and the cursor', async () => {
    const client = await open('?channel=room:lobby&channel=user:alice');
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(client.headers['cache-control']).toBe('no-cache');
    expect(client.headers['x-accel-buffering']).toBe('no');
    expect(client.headers['content-encoding']).toBeUndefined();
    const first = await client.next(() => true);
    expect(first).toMatchObject({ event: 'retry', retry: 1234 });
    const welcome = await client.next();
    expect(welcome.event).toBe('connected');
    expect(welcome.json).toEqual({
      connectionId: expect.any(String),
      heartbeatMs: 60_000,
      protocol: 1,
    });
    const lobby = await channels.publish('room:lobby', 'warmup', null);
    const positions = new Map([
      ['room:lobby', { epoch: lobby.epoch, offset: lobby.offset - 1 }],
      ['user:alice', { epoch: expect.any(String), offset: 0 }],
    ]);
    expect(JSON.parse(Buffer.from(welcome.id!, 'base64url').toString())).toEqual(
      Object.fromEntries([...positions].map(([c, p]) => [c, [p.epoch, p.offset]])),
    );
    expect(channels.getConnection(welcome.json.connectionId)?.transport).toBe('sse');
  });

  it('lets a stream open with no channel at all (subscriptions come later over POST)', async () => {
    const client = await open('');
    expect(client.status).toBe(200);
    const welcome = await client.next();
    expect(welcome.event).toBe('connected');
    expect(welcome.id).toBeUndefined();
  });

  it('accepts an allowed Origin and answers with its CORS headers', async () => {
    const client = await open('', { ...AUTH('alice'), Origin: 'https://app.example' });
    expect(client.status).toBe(200);
    expect(client.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(client.headers.vary).toBe('Origin');
  });

  it('answers another method on the endpoints with 405 and leaves other paths to Nest', async () => {
    const wrongMethod = await httpCall(`${base}/channels/sse`, {
      method: 'POST',
      headers: AUTH('alice'),
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, OPTIONS');
    expect((await httpCall(`${base}/channels/messages`)).status).toBe(405);
    expect((await httpCall(`${base}/channels/elsewhere`)).status).toBe(404);
    const published = await httpCall(`${base}/publish`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: 'room:x', event: 'e', data: 1 }),
    });
    expect(published.status).toBe(201);
    expect(published.json).toEqual({ offset: 1, epoch: expect.any(String) });
  });

  it('encodes the cursor as base64url JSON of { channel: [epoch, offset] }', () => {
    const cursor = encodeCursor(new Map([['user:42', { epoch: 'k3J9', offset: 18 }]]));
    expect(cursor).toBe(Buffer.from('{"user:42":["k3J9",18]}').toString('base64url'));
  });
});
