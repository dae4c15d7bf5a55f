import type { TransportName } from '../../../lib/client/index.js';
import type { ChannelsEvent, Connection } from '../../../lib/index.js';
import { Inbox } from '../../client/support/client-harness.js';
import { RawSseClient, postCommand } from '../../support/sse-client.js';
import { waitFor } from '../../support/wait.js';
import { TestClient } from '../../support/ws-client.js';
import { deliveryOptions, PausableClient, startDeliveryApp } from './delivery-app.js';

const LIMIT = 256 * 1024;
/** What one push adds to the buffer besides its JSON: the WebSocket header or the SSE lines. */
const FRAMING = 1_024;
const TEXT = 'x'.repeat(10_000);
/** 500 pushes of 10 kB on each of two channels: 10 MB go by. */
const PUSHES = 500;

type Server = Awaited<ReturnType<typeof startDeliveryApp>>;

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('delivery policies: the subscribe reply names the channel policy', () => {
  let server: Server;
  beforeAll(async () => (server = await startDeliveryApp(deliveryOptions(LIMIT))));
  afterAll(() => server.app.close());

  const expected = { 'ticker:1': 'latest', 'log:1': 'drop', 'chat:1': 'all', 'gauge:1': 'latest' };

  it('over WebSocket: from @OnJoin, from the delivery option, or all', async () => {
    const { client } = await TestClient.connect(server.ws);
    for (const [channel, delivery] of Object.entries(expected))
      expect((await client.request('subscribe', { channel })).data).toMatchObject({ delivery });
    client.close();
  });

  it('over SSE: the same', async () => {
    const { client, welcome } = await RawSseClient.connect(`${server.http}/channels/sse`);
    const { connectionId } = welcome.json;
    for (const [channel, delivery] of Object.entries(expected)) {
      const answer = await postCommand(
        `${server.http}/channels/messages`,
        { id: 1, event: 'subscribe', data: { channel } },
        { 'X-Channels-Connection': connectionId },
      );
      expect(answer.json.data).toMatchObject({ delivery });
    }
    client.close();
  });
});

describe.each<TransportName>(['websocket', 'sse'])('delivery policies over %s', (transport) => {
  let server: Server;
  const clients: PausableClient[] = [];
  beforeAll(async () => (server = await startDeliveryApp(deliveryOptions(LIMIT))));
  afterEach(() => clients.splice(0).forEach((p) => (p.resume(), p.client.close())));
  afterAll(() => server.app.close());

  const open = async () => {
    const p = new PausableClient(`${server.http}/channels`, transport);
    clients.push(p);
    await p.client.connect();
    const connection = server.service.getConnection(p.client.connectionId!) as Connection;
    expect(connection.transport).toBe(transport);
    return { p, connection };
  };
  const eventsOf = (connection: Connection) =>
    server.seen.filter((e) => 'connection' in e && e.connection === connection);

  it('a reader that stops reading during 10 MB is never closed: the latest value, and a gap then a recovery', async () => {
    const { p, connection } = await open();
    const states: string[] = [];
    p.client.on('state', ({ state }) => states.push(state));
    const renewed: string[] = [];
    p.client.on(
      'subscribed',
      (info) => info.resubscribed && info.recovered && renewed.push(info.channel),
    );
    const latest = new Inbox<{ n: number }>();
    const dropped = new Inbox<{ n: number }>();
    await p.client.subscribe('ticker:1', latest.handler);
    await p.client.subscribe('log:1', dropped.handler);

    p.pause();
    let maxBuffered = 0;
    for (let n = 1; n <= PUSHES; n++) {
      await server.service.publish('ticker:1', 'tick', { n, text: TEXT });
      await server.service.publish('log:1', 'line', { n, text: TEXT });
      maxBuffered = Math.max(maxBuffered, connection.bufferedBytes);
      if (n % 5 === 0) await turn();
      maxBuffered = Math.max(maxBuffered, connection.bufferedBytes);
    }
    // It did fall behind, and its buffer stayed within the limit (the newest push of the
    // `latest` channel waits beside it, not in it).
    expect(maxBuffered).toBeGreaterThan(LIMIT / 2);
    expect(maxBuffered).toBeLessThanOrEqual(LIMIT + FRAMING);
    expect(connection.closed).toBe(false);

    p.resume();
    await waitFor(() => latest.items.at(-1)?.n === PUSHES, 15_000, 'the latest tick');
    const ticks = latest.items.map((item) => item.n);
    expect(ticks.length).toBeLessThan(PUSHES);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
    expect(new Set(ticks).size).toBe(ticks.length);

    // The drop channel got a gap, recovered from history, and has every line once, in order.
    await dropped.count(PUSHES, 20_000);
    expect(dropped.items.map((item) => item.n)).toEqual(
      Array.from({ length: PUSHES }, (_, i) => i + 1),
    );
    expect(renewed).toContain('log:1');
    expect(renewed).not.toContain('ticker:1');

    expect(connection.closed).toBe(false);
    expect(states).toEqual([]);
    const skipped = eventsOf(connection) as Array<ChannelsEvent & { type: 'delivery.skipped' }>;
    expect(skipped.every((e) => e.type === 'delivery.skipped')).toBe(true);
    const byChannel = (channel: string) =>
      skipped.filter((e) => e.channel === channel).reduce((sum, e) => sum + e.skipped, 0);
    expect(byChannel('ticker:1')).toBe(PUSHES - ticks.length);
    expect(byChannel('log:1')).toBeGreaterThan(0);
    expect(skipped.find((e) => e.channel === 'log:1')).toMatchObject({
      delivery: 'drop',
      pattern: 'log:{id}',
    });
    // Counted per channel pattern (this app's only reader of these channels is this one).
    const text = await server.metrics();
    expect(text).toContain(
      `channels_pushes_skipped_total{pattern="ticker:{id}",delivery="latest"} ${byChannel('ticker:1')}`,
    );
    expect(text).toContain(
      `channels_pushes_skipped_total{pattern="log:{id}",delivery="drop"} ${byChannel('log:1')}`,
    );
  }, 60_000);

  it('an `all` subscriber in the same state is closed with 4008; its latest channel does not save it', async () => {
    const { p, connection } = await open();
    await p.client.subscribe('chat:1', () => undefined);
    await p.client.subscribe('gauge:1', () => undefined);
    p.pause();
    for (let n = 1; n <= PUSHES && !connection.closed; n++) {
      await server.service.publish('gauge:1', 'level', { n, text: TEXT });
      await server.service.publish('chat:1', 'said', { n, text: TEXT });
      if (n % 5 === 0) await turn();
    }
    await waitFor(() => connection.closed, 5_000, 'the close');
    expect(connection.closeInfo?.code).toBe(4008);
    expect(eventsOf(connection).map((e) => e.type)).toContain('connection.slow');
  }, 60_000);
});
