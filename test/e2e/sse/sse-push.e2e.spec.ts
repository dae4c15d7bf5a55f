import type { INestApplication } from '@nestjs/common';
import { ChannelsService } from '../../../lib/index.js';
import { TestEventSource } from '../../support/event-source.js';
import { RawSseClient } from '../../support/sse-client.js';
import { AUTH } from '../../support/token.guard.js';
import { TokenGuard, startSseApp } from './sse.gateway.js';

describe('SSE stream: pushes and heartbeats', () => {
  let app: INestApplication;
  let base: string;
  let channels: ChannelsService;
  const clients: Array<{ close(): void }> = [];

  async function stream(query: string, user = 'alice') {
    const result = await RawSseClient.connect(`${base}/channels/sse${query}`, AUTH(user));
    clients.push(result.client);
    return result.client;
  }

  beforeAll(async () => {
    ({ app, base, channels } = await startSseApp({
      sse: { heartbeatMs: 40 },
      auth: { handshakeGuards: [TokenGuard] },
    }));
  });

  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  it('writes each push as id: <cursor>, event: <push event>, data: <push frame>', async () => {
    const client = await stream('?channel=room:p1&channel=user:alice');
    const first = await channels.publish('room:p1', 'message.new', { text: 'a' });
    const second = await channels.publish('user:alice', 'notification', { n: 1 });
    const [a, b] = await client.pushes(2);
    expect(a!.event).toBe('message.new');
    expect(a!.json).toEqual(first);
    expect(b!.event).toBe('notification');
    expect(b!.json).toEqual(second);
    const cursor = JSON.parse(Buffer.from(b!.id!, 'base64url').toString());
    expect(cursor).toEqual({
      'room:p1': [first.epoch, first.offset],
      'user:alice': [second.epoch, second.offset],
    });
  });

  it('delivers only the channels of the stream, in publish order', async () => {
    const client = await stream('?channel=room:p2');
    for (let n = 1; n <= 20; n++) {
      await channels.publish('room:other', 'x', n);
      await channels.publish('room:p2', 'n', n);
    }
    const pushes = await client.pushes(20);
    expect(pushes.map((p) => p.json.data)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(pushes.map((p) => p.json.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('sends push events named like the stream’s own events as unnamed messages', async () => {
    const client = await stream('?channel=room:p3');
    await channels.publish('room:p3', 'reset', { mine: true });
    await channels.publish('room:p3', 'error', { mine: true });
    const [reset, error] = await client.pushes(2);
    expect(reset!.event).toBe('message');
    expect(reset!.json).toMatchObject({ event: 'reset', data: { mine: true } });
    expect(error!.event).toBe('message');
    expect(error!.json).toMatchObject({ event: 'error' });
  });

  it('writes ": ping" comment lines every sseHeartbeatMs', async () => {
    const client = await stream('');
    const first = await client.next((e) => e.event === 'comment');
    const second = await client.next((e) => e.event === 'comment');
    expect([first.data, second.data]).toEqual(['ping', 'ping']);
  });

  it('feeds a real EventSource (eventsource package) with headers from a custom fetch', async () => {
    const source = new TestEventSource(`${base}/channels/sse?channel=user:alice`, 'alice', [
      'connected',
      'notification',
    ]);
    clients.push(source);
    const [connected] = await source.waitFor('connected', 1);
    expect(JSON.parse(connected!.data)).toMatchObject({ heartbeatMs: 40, protocol: 1 });
    const pushes = [];
    for (let n = 1; n <= 3; n++)
      pushes.push(await channels.publish('user:alice', 'notification', { n }));
    const received = await source.waitFor('notification', 3);
    expect(received.map((e) => JSON.parse(e.data))).toEqual(pushes);
    expect(received[2]!.lastEventId).toBe(
      Buffer.from(JSON.stringify({ 'user:alice': [pushes[2]!.epoch, pushes[2]!.offset] })).toString(
        'base64url',
      ),
    );
  });

  it('gives an EventSource with no credentials a 401 and no stream', async () => {
    const source = new TestEventSource(`${base}/channels/sse`, undefined, []);
    clients.push(source);
    const error = await new Promise<{ code?: number }>(
      (resolve) => (source.source.onerror = (e) => resolve(e)),
    );
    expect(error.code).toBe(401);
    expect(source.source.readyState).toBe(source.source.CLOSED);
  });
});
