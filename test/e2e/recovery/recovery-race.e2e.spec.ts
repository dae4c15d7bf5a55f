import type { INestApplication } from '@nestjs/common';
import {
  ChannelsModule,
  ChannelsService,
  HistoryStore,
  type PushFrame,
} from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { GatedHistoryStore, type GatePoint } from '../../support/gated-history-store.js';
import { RawSseClient } from '../../support/sse-client.js';
import { waitFor } from '../../support/wait.js';
import { TestClient, type Frame } from '../../support/ws-client.js';
import { FeedGateway, range } from './feed.gateway.js';

/**
 * Pushes published while a subscribe (or an SSE resume) is between taking its hold and
 * writing its reply: each reaches the client exactly once, after the replay, in order.
 */
describe('recovery while pushes keep coming (both transports)', () => {
  let app: INestApplication;
  let ws: string;
  let http: string;
  let channels: ChannelsService;
  let store: GatedHistoryStore;
  const clients: Array<{ close(): void }> = [];

  async function publish(channel: string, from: number, to: number): Promise<PushFrame[]> {
    const pushes: PushFrame[] = [];
    for (const n of range(from, to)) pushes.push(await channels.publish(channel, 'n', n));
    return pushes;
  }

  async function wsClient() {
    const { client } = await TestClient.connect(`${ws}/channels`);
    clients.push(client);
    return client;
  }

  async function wsPushes(client: TestClient, channel: string, n: number): Promise<Frame[]> {
    const pushes: Frame[] = [];
    for (let i = 0; i < n; i++) pushes.push(await client.next((f) => f.channel === channel));
    return pushes;
  }

  beforeAll(async () => {
    // Replaces the history store through the option, as an app would (Redis Streams, say).
    store = new GatedHistoryStore({ size: 1000 });
    const started = await startApp({
      imports: [ChannelsModule.forRoot({ stores: { history: store } })],
      providers: [FeedGateway],
    });
    app = started.app;
    ws = started.ws;
    http = started.http;
    channels = app.get(ChannelsService);
    expect(app.get(HistoryStore)).toBe(store);
  });

  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  it.each<GatePoint>(['before-read', 'after-read'])(
    'WebSocket: pushes published during a recovering subscribe (held %s) arrive once, after the replay',
    async (point) => {
      const channel = `feed:ws-${point}`;
      const [first] = await publish(channel, 1, 1);
      await publish(channel, 2, 3); // missed while away
      const client = await wsClient();
      const gate = store.arm(channel, point);
      const answer = client.request('subscribe', {
        channel,
        since: { epoch: first!.epoch, offset: 1 },
      });
      await gate.reached;
      await publish(channel, 4, 6); // during the subscribe
      gate.open();
      const reply = (await answer).data;
      expect(reply.recovered).toBe(true);
      const replayed: number[] = reply.missed.map((p: PushFrame) => p.offset);
      const liveCount = 6 - 1 - replayed.length;
      const live = (await wsPushes(client, channel, liveCount)).map((p) => p.offset);
      // before-read: the reply already holds 2..6; after-read: it holds 2..3 and 4..6 come live.
      expect(replayed).toEqual(point === 'before-read' ? range(2, 6) : range(2, 3));
      expect([...replayed, ...live]).toEqual(range(2, 6));
      const next = await channels.publish(channel, 'n', 7);
      expect(await client.next((f) => f.channel === channel)).toEqual(next);
    },
  );

  it('WebSocket: a plain subscribe held after its read misses nothing published meanwhile', async () => {
    const channel = 'feed:ws-plain';
    await publish(channel, 1, 2);
    const client = await wsClient();
    const gate = store.arm(channel, 'after-read');
    const answer = client.request('subscribe', { channel });
    await gate.reached;
    await publish(channel, 3, 5);
    gate.open();
    expect((await answer).data).toMatchObject({ offset: 2, recovered: false, missed: [] });
    expect((await wsPushes(client, channel, 3)).map((p) => p.offset)).toEqual([3, 4, 5]);
  });

  it.each<GatePoint>(['before-read', 'after-read'])(
    'SSE: pushes published during a Last-Event-ID resume (held %s) arrive once, after the replay',
    async (point) => {
      const channel = `feed:sse-${point}`;
      const { client: first } = await RawSseClient.connect(
        `${http}/channels/sse?channel=${channel}`,
      );
      await publish(channel, 1, 1);
      const [seen] = await first.pushes(1);
      first.close();
      await waitFor(() => channels.subscriptionCount(channel) === 0);
      await publish(channel, 2, 3);
      const gate = store.arm(channel, point);
      const opening = RawSseClient.connect(`${http}/channels/sse?channel=${channel}`, {
        'Last-Event-ID': seen!.id!,
      });
      await gate.reached;
      await publish(channel, 4, 6);
      gate.open();
      const { client } = await opening;
      clients.push(client);
      const pushes = await client.pushes(5);
      expect(pushes.map((p) => p.json.offset)).toEqual(range(2, 6));
      const next = await channels.publish(channel, 'n', 7);
      expect((await client.pushes(1))[0]!.json).toEqual(next);
      expect(client.events.filter((e) => e.json?.channel)).toEqual([]);
    },
  );

  it('WebSocket and SSE: a resume under a steady stream of pushes yields every offset exactly once', async () => {
    const channel = 'feed:steady';
    const [first] = await publish(channel, 1, 3);
    let publishing = true;
    let last = 3;
    const publisher = (async () => {
      while (publishing && last < 400) {
        await channels.publish(channel, 'n', ++last);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const since = { epoch: first!.epoch, offset: 1 };
    const client = await wsClient();
    const reply = (await client.request('subscribe', { channel, since })).data;
    const cursor = Buffer.from(JSON.stringify({ [channel]: [since.epoch, since.offset] })).toString(
      'base64url',
    );
    const { client: sse } = await RawSseClient.connect(`${http}/channels/sse?channel=${channel}`, {
      'Last-Event-ID': cursor,
    });
    clients.push(sse);
    await waitFor(() => last >= 60);
    publishing = false;
    await publisher;
    expect(reply.recovered).toBe(true);
    const replayed: number[] = reply.missed.map((p: PushFrame) => p.offset);
    const live = (await wsPushes(client, channel, last - 1 - replayed.length)).map((p) => p.offset);
    expect([...replayed, ...live]).toEqual(range(2, last));
    const overSse = (await sse.pushes(last - 1)).map((p) => p.json.offset);
    expect(overSse).toEqual(range(2, last));
    expect(await client.pushesWithin(channel, 30)).toEqual([]);
    expect(sse.events.filter((e) => e.json?.channel)).toEqual([]);
  });
});
