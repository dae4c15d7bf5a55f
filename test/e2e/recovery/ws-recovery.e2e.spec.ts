import type { INestApplication } from '@nestjs/common';
import { ChannelsModule, ChannelsService, type PushFrame } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { waitFor } from '../../support/wait.js';
import { TestClient, type Frame } from '../../support/ws-client.js';
import { FeedGateway, range } from './feed.gateway.js';

const SIZE = 5;
const TTL_MS = 1000;

describe('recovery over WebSocket: subscribe with since', () => {
  let app: INestApplication;
  let url: string;
  let channels: ChannelsService;
  const clients: TestClient[] = [];

  async function connect() {
    const { client } = await TestClient.connect(url);
    clients.push(client);
    return client;
  }

  async function publish(channel: string, from: number, to: number): Promise<PushFrame[]> {
    const pushes: PushFrame[] = [];
    for (const n of range(from, to)) pushes.push(await channels.publish(channel, 'n', n));
    return pushes;
  }

  /** Subscribes, receives `seen` pushes, leaves; `missed` pushes are published while away. */
  async function leaveAfter(channel: string, seen: number, missed: number) {
    const client = await connect();
    const reply = await client.request('subscribe', { channel });
    await publish(channel, 1, seen);
    const received: Frame[] = [];
    for (let i = 0; i < seen; i++) received.push(await client.next((f) => f.channel === channel));
    client.close();
    await client.closed;
    await waitFor(() => channels.subscriptionCount(channel) === 0);
    const missedPushes = await publish(channel, seen + 1, seen + missed);
    const last = received.at(-1);
    return {
      position: last
        ? { epoch: last.epoch, offset: last.offset }
        : { epoch: reply.data.epoch, offset: 0 },
      missedPushes,
    };
  }

  beforeAll(async () => {
    const started = await startApp({
      imports: [ChannelsModule.forRoot({ history: { size: SIZE, ttlMs: TTL_MS } })],
      providers: [FeedGateway],
    });
    app = started.app;
    url = `${started.ws}/channels`;
    channels = app.get(ChannelsService);
  });

  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  it('starts a fresh subscription at the latest offset, recovered false', async () => {
    await publish('feed:fresh', 1, 2);
    const client = await connect();
    const reply = await client.request('subscribe', { channel: 'feed:fresh' });
    expect(reply.data).toEqual({
      channel: 'feed:fresh',
      offset: 2,
      epoch: expect.any(String),
      delivery: 'all',
      recovered: false,
      missed: [],
    });
    const live = await channels.publish('feed:fresh', 'n', 3);
    expect(await client.next((f) => f.channel === 'feed:fresh')).toEqual(live);
  });

  it('replays exactly the missed pushes in order, then live ones with no duplicate', async () => {
    const { position, missedPushes } = await leaveAfter('feed:a', 3, 4);
    const client = await connect();
    const reply = await client.request('subscribe', { channel: 'feed:a', since: position });
    expect(reply.data).toEqual({
      channel: 'feed:a',
      offset: 7,
      epoch: position.epoch,
      delivery: 'all',
      recovered: true,
      missed: missedPushes,
    });
    expect(reply.data.missed.map((p: PushFrame) => p.offset)).toEqual([4, 5, 6, 7]);
    const live = await publish('feed:a', 8, 10);
    const received = [];
    for (let i = 0; i < 3; i++) received.push(await client.next((f) => f.channel === 'feed:a'));
    expect(received).toEqual(live);
    expect(await client.pushesWithin('feed:a', 50)).toEqual([]);
  });

  it('recovers a gap of exactly the history size', async () => {
    const { position, missedPushes } = await leaveAfter('feed:edge', 1, SIZE);
    const client = await connect();
    const reply = await client.request('subscribe', { channel: 'feed:edge', since: position });
    expect(reply.data.recovered).toBe(true);
    expect(reply.data.missed).toEqual(missedPushes);
  });

  it('answers recovered: true with nothing missed when the client is up to date', async () => {
    const { position } = await leaveAfter('feed:same', 2, 0);
    const client = await connect();
    const reply = await client.request('subscribe', { channel: 'feed:same', since: position });
    expect(reply.data).toMatchObject({ offset: 2, recovered: true, missed: [] });
  });

  it('never replays part of a gap beyond the history size: recovered false, nothing replayed', async () => {
    const { position } = await leaveAfter('feed:b', 1, SIZE + 1);
    const client = await connect();
    const reply = await client.request('subscribe', { channel: 'feed:b', since: position });
    expect(reply.data).toEqual({
      channel: 'feed:b',
      offset: SIZE + 2,
      epoch: position.epoch,
      delivery: 'all',
      recovered: false,
      missed: [],
    });
    const live = await channels.publish('feed:b', 'n', 0);
    expect(await client.next((f) => f.channel === 'feed:b')).toEqual(live);
    expect(live.offset).toBe(SIZE + 3);
  });

  it('answers recovered false on another epoch (history lost)', async () => {
    const { position } = await leaveAfter('feed:c', 2, 1);
    const client = await connect();
    const reply = await client.request('subscribe', {
      channel: 'feed:c',
      since: { epoch: 'other', offset: position.offset },
    });
    expect(reply.data).toMatchObject({
      offset: 3,
      epoch: position.epoch,
      recovered: false,
      missed: [],
    });
  });

  it('answers recovered false for a position ahead of the channel', async () => {
    const { position } = await leaveAfter('feed:d', 2, 0);
    const client = await connect();
    const reply = await client.request('subscribe', {
      channel: 'feed:d',
      since: { ...position, offset: 10 },
    });
    expect(reply.data).toMatchObject({ offset: 2, recovered: false, missed: [] });
  });

  it('answers recovered false when the missed pushes outlived the TTL', async () => {
    const { position } = await leaveAfter('feed:e', 1, 2);
    await new Promise((r) => setTimeout(r, TTL_MS + 200));
    const client = await connect();
    const reply = await client.request('subscribe', { channel: 'feed:e', since: position });
    expect(reply.data).toMatchObject({ recovered: false, missed: [] });
  });

  it('rejects a malformed since, and replays nothing to a refused join', async () => {
    const client = await connect();
    const bad = await client.request('subscribe', {
      channel: 'feed:f',
      since: { epoch: 1, offset: -1 },
    });
    expect(bad.error.code).toBe('BAD_REQUEST');
    await publish('locked:g', 1, 2);
    const refused = await client.request('subscribe', {
      channel: 'locked:g',
      since: { epoch: 'x', offset: 0 },
    });
    expect(refused).toEqual({ id: 2, error: { code: 'FORBIDDEN', message: expect.any(String) } });
    expect(channels.subscriptionCount('locked:g')).toBe(0);
  });

  it('recovers several channels independently on one connection', async () => {
    const a = await leaveAfter('feed:h1', 2, 2);
    const b = await leaveAfter('feed:h2', 1, SIZE + 3);
    const client = await connect();
    const [ra, rb] = await Promise.all([
      client.request('subscribe', { channel: 'feed:h1', since: a.position }),
      client.request('subscribe', { channel: 'feed:h2', since: b.position }),
    ]);
    expect(ra.data).toMatchObject({ recovered: true, missed: a.missedPushes });
    expect(rb.data).toMatchObject({ recovered: false, missed: [] });
  });
});
