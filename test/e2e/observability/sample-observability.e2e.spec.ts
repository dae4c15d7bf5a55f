import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import { ChannelsEvents, ChannelsService } from '../../../lib/index.js';
import type { WsConnection } from '../../../lib/transports/ws.connection.js';
import { readSampleConfig } from '../../../sample/src/sample.config.js';
import { startSample, type RunningSample } from '../../../sample/src/sample.app.js';
import {
  parsePrometheusText,
  sampleValue,
  type PromSample,
} from '../../support/prometheus-text.js';
import { TestClient } from '../../support/ws-client.js';

// SAMPLE.md's GET /metrics and GET /health, after a scripted session on the sample: every
// lifecycle event is counted once, with its labels.
describe('the sample: GET /metrics and GET /health', () => {
  let sample: RunningSample;
  let base: string;
  let ws: string;
  const open: TestClient[] = [];

  const scrape = async (): Promise<PromSample[]> => {
    const response = await fetch(new URL('metrics', base));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await response.text());
  };
  const login = async (userId: string): Promise<string> => {
    const response = await fetch(new URL('auth/demo-login', base), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    return ((await response.json()) as { token: string }).token;
  };
  const connect = async (userId: string) => {
    const token = await login(userId);
    const { client, welcome } = await TestClient.connect(ws, {
      headers: { Authorization: `Bearer ${token}` },
    });
    open.push(client);
    return { client, id: welcome.data.connectionId as string };
  };
  const until = async (condition: () => Promise<boolean> | boolean, what: string) => {
    for (let i = 0; i < 200; i++) {
      if (await condition()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`gave up waiting for ${what}`);
  };

  beforeAll(async () => {
    const config = readSampleConfig(
      { PORT: '0', SAMPLE_TOKEN_SECRET: 'observability-test' },
      resolve('sample/public'),
    );
    sample = await startSample(config, false);
    base = sample.url;
    ws = `${base.replace('http', 'ws')}channels`;
  });
  let closed = false;
  afterAll(async () => {
    for (const client of open) client.socket.terminate();
    if (!closed) await sample.app.close();
  });

  it('counts a scripted session once each, with the documented labels', async () => {
    const channels = sample.app.get(ChannelsService);
    const before = await scrape();
    expect(sampleValue(before, 'channels_connections', { transport: 'websocket' })).toBe(0);
    expect(sampleValue(before, 'channels_connections', { transport: 'sse' })).toBe(0);
    expect(sampleValue(before, 'channels_subscriptions')).toBe(0);

    // A handshake without a token is refused (4401) before any connection exists.
    const refused = await TestClient.open(ws);
    expect((await refused.closed).code).toBe(4401);

    const alice = await connect('alice');
    expect((await alice.client.request('subscribe', { channel: 'user:alice' })).data.channel).toBe(
      'user:alice',
    );
    expect((await alice.client.request('notifications.list', {})).data.unread).toBe(0);
    expect((await alice.client.request('notifications.markRead', { ids: [] })).error.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await alice.client.request('no.such.event', {})).error.code).toBe('UNKNOWN_EVENT');
    alice.client.send('{not json');
    expect((await alice.client.next((f) => f.error !== undefined)).error.code).toBe('BAD_REQUEST');

    // One publish to one WebSocket subscriber.
    await channels.publish('user:alice', 'notification', { id: 'n1', title: 'Hi' });
    expect((await alice.client.next((f) => f.channel === 'user:alice')).data.id).toBe('n1');

    let scraped = await scrape();
    expect(sampleValue(scraped, 'channels_connections', { transport: 'websocket' })).toBe(1);
    expect(sampleValue(scraped, 'channels_subscriptions')).toBe(1);
    expect(
      sampleValue(scraped, 'channels_handshakes_total', {
        transport: 'websocket',
        result: 'accepted',
      }),
    ).toBe(1);
    expect(
      sampleValue(scraped, 'channels_handshakes_total', {
        transport: 'websocket',
        result: 'UNAUTHORIZED',
      }),
    ).toBe(1);
    const commands = (event: string, result: string) =>
      sampleValue(scraped, 'channels_commands_total', { event, result });
    expect(commands('subscribe', 'ok')).toBe(1);
    expect(commands('notifications.list', 'ok')).toBe(1);
    expect(commands('notifications.markRead', 'VALIDATION_FAILED')).toBe(1);
    expect(commands('(unknown)', 'UNKNOWN_EVENT')).toBe(1);
    expect(commands('(invalid)', 'BAD_REQUEST')).toBe(1);
    expect(
      sampleValue(scraped, 'channels_command_duration_seconds_count', {
        event: 'notifications.list',
      }),
    ).toBe(1);
    expect(
      sampleValue(scraped, 'channels_command_duration_seconds_count', { event: '(unknown)' }),
    ).toBe(1);
    expect(sampleValue(scraped, 'channels_publishes_total')).toBe(1);
    expect(sampleValue(scraped, 'channels_deliveries_total', { transport: 'websocket' })).toBe(1);
    expect(sampleValue(scraped, 'channels_deliveries_total', { transport: 'sse' })).toBe(0);
    expect(sampleValue(scraped, 'channels_rate_limited_total', { scope: 'message' })).toBe(0);

    // A burst over the message budget (100 a second) is answered RATE_LIMITED, each counted.
    const greedy = await connect('greedy');
    const answers = await Promise.all(
      Array.from({ length: 130 }, () => greedy.client.request('notifications.list', {})),
    );
    const limited = answers.filter((a) => a.error?.code === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThan(0);
    scraped = await scrape();
    expect(sampleValue(scraped, 'channels_rate_limited_total', { scope: 'message' })).toBe(limited);
    expect(commands('notifications.list', 'RATE_LIMITED')).toBe(limited);
    expect(commands('notifications.list', 'ok')).toBe(1 + answers.length - limited);

    // A subscriber that does not read is cut off with 4008 (and counted as a slow consumer).
    const slow = await connect('slowpoke');
    await slow.client.request('subscribe', { channel: 'user:slowpoke' });
    const connection = channels.getConnection(slow.id) as WsConnection;
    const socket = (slow.client.socket as unknown as { _socket: Socket })._socket;
    socket.pause();
    const text = 'x'.repeat(16_384);
    while (connection.bufferedBytes <= 1_048_576)
      await channels.publish('user:slowpoke', 'notification', { text });
    await channels.publish('user:slowpoke', 'notification', { text: 'past the limit' });
    socket.resume();
    expect((await slow.client.closed).code).toBe(4008);
    await until(() => channels.getConnection(slow.id) === undefined, 'the slow consumer to go');

    // Alice leaves on her own.
    alice.client.close();
    expect((await alice.client.closed).code).toBe(1005);
    await until(() => channels.getConnection(alice.id) === undefined, 'alice to go');

    scraped = await scrape();
    expect(sampleValue(scraped, 'channels_slow_consumers_total', { transport: 'websocket' })).toBe(
      1,
    );
    const disconnects = (code: string, by: string) =>
      sampleValue(scraped, 'channels_disconnects_total', { transport: 'websocket', code, by });
    expect(disconnects('4008', 'server')).toBe(1);
    expect(disconnects('1005', 'client')).toBe(1);
    expect(sampleValue(scraped, 'channels_connections', { transport: 'websocket' })).toBe(1);
    expect(sampleValue(scraped, 'channels_subscriptions')).toBe(0);
    expect(
      sampleValue(scraped, 'channels_handshakes_total', {
        transport: 'websocket',
        result: 'accepted',
      }),
    ).toBe(3);

    // A handshake flood from one IP passes the handshake budget (30 per 10 s) and is refused.
    let floodRefusals = 0;
    let unauthorized = 1;
    while (floodRefusals === 0) {
      const { code } = await (await TestClient.open(ws)).closed;
      if (code === 4429) floodRefusals++;
      else if (code === 4401) unauthorized++;
      else throw new Error(`unexpected close ${code}`);
    }
    scraped = await scrape();
    expect(sampleValue(scraped, 'channels_rate_limited_total', { scope: 'handshake' })).toBe(1);
    expect(
      sampleValue(scraped, 'channels_handshakes_total', {
        transport: 'websocket',
        result: 'RATE_LIMITED',
      }),
    ).toBe(1);
    expect(
      sampleValue(scraped, 'channels_handshakes_total', {
        transport: 'websocket',
        result: 'UNAUTHORIZED',
      }),
    ).toBe(unauthorized);
    // Label values stay bounded: no client-chosen event name reached a label.
    expect(scraped.some((s) => s.labels.event === 'no.such.event')).toBe(false);
  });

  it('answers GET /health 200 while serving, then 503 as soon as shutdown starts', async () => {
    // A fresh app: the session above spent this IP's handshake budget.
    for (const client of open.splice(0)) client.socket.terminate();
    await sample.app.close();
    sample = await startSample(
      readSampleConfig(
        { PORT: '0', SAMPLE_TOKEN_SECRET: 'observability-test' },
        resolve('sample/public'),
      ),
      false,
    );
    base = sample.url;
    ws = `${base.replace('http', 'ws')}channels`;
    const up = await fetch(new URL('health', base));
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({
      status: 'ok',
      info: { channels: { status: 'up', connections: expect.any(Number) } },
    });

    // A client that does not read holds the shutdown in its close handshake for a while.
    const deaf = await connect('deaf');
    const socket = (deaf.client.socket as unknown as { _socket: Socket })._socket;
    socket.pause();
    const started = new Promise<void>((done) =>
      sample.app.get(ChannelsEvents).on('shutdown.started', () => done()),
    );
    const closing = sample.app.close();
    await started;
    const down = await fetch(new URL('health', base));
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      // terminus names the overall status itself ('shutting_down' once it has seen the shutdown).
      status: expect.stringMatching(/^(error|shutting_down)$/),
      error: { channels: { status: 'down', reason: 'shutting down' } },
    });
    socket.resume();
    expect((await deaf.client.closed).code).toBe(1001);
    await closing;
    closed = true;
  });
});
