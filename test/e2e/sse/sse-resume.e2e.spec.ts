import type { INestApplication } from '@nestjs/common';
import { ChannelsService, type PushFrame } from '../../../lib/index.js';
import { encodeCursor } from '../../../lib/transports/sse-cursor.js';
import { TestEventSource } from '../../support/event-source.js';
import { postCommand, RawSseClient, type SseEvent } from '../../support/sse-client.js';
import { AUTH } from '../../support/token.guard.js';
import { waitFor } from '../../support/wait.js';
import { startSseApp } from './sse.gateway.js';

const HISTORY_SIZE = 5;

describe('SSE stream: resume with Last-Event-ID', () => {
  let app: INestApplication;
  let base: string;
  let channels: ChannelsService;
  const clients: Array<{ close(): void }> = [];

  async function stream(query: string, headers: Record<string, string> = {}) {
    const result = await RawSseClient.connect(`${base}/channels/sse${query}`, {
      ...AUTH('alice'),
      ...headers,
    });
    clients.push(result.client);
    return result;
  }

  async function publish(channel: string, from: number, to: number): Promise<PushFrame[]> {
    const pushes: PushFrame[] = [];
    for (let n = from; n <= to; n++) pushes.push(await channels.publish(channel, 'n', n));
    return pushes;
  }

  /** Opens, reads `seen` pushes, leaves; `missed` are published while away. The last id seen is returned. */
  async function leaveAfter(channel: string, seen: number, missed: number) {
    const { client } = await stream(`?channel=${channel}`);
    await publish(channel, 1, seen);
    const pushes = await client.pushes(seen);
    client.close();
    await waitFor(() => channels.subscriptionCount(channel) === 0);
    const missedPushes = await publish(channel, seen + 1, seen + missed);
    return { lastEventId: pushes.at(-1)!.id!, missedPushes };
  }

  beforeAll(async () => {
    ({ app, base, channels } = await startSseApp({
      history: { size: HISTORY_SIZE },
      sse: { retryMs: 20 },
    }));
  });

  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  it('replays exactly the missed pushes, in order, before live ones, with no duplicate', async () => {
    const { lastEventId, missedPushes } = await leaveAfter('room:r1', 3, 4);
    const { client, welcome } = await stream('?channel=room:r1', { 'Last-Event-ID': lastEventId });
    expect(welcome.id).toBe(lastEventId);
    const live = await channels.publish('room:r1', 'n', 8);
    const pushes = await client.pushes(5);
    expect(pushes.map((p) => p.json)).toEqual([...missedPushes, live]);
    expect(pushes.map((p) => offsetIn(p, 'room:r1'))).toEqual([4, 5, 6, 7, 8]);
    expect(client.events.filter((e) => e.json?.channel)).toEqual([]);
    expect(client.events.some((e) => e.event === 'reset')).toBe(false);
  });

  it('takes the cursor from the lastEventId query parameter too', async () => {
    const { lastEventId, missedPushes } = await leaveAfter('room:r2', 2, 2);
    const { client } = await stream(`?channel=room:r2&lastEventId=${lastEventId}`);
    expect((await client.pushes(2)).map((p) => p.json)).toEqual(missedPushes);
  });

  it('replays nothing when nothing was missed', async () => {
    const { lastEventId } = await leaveAfter('room:r3', 2, 0);
    const { client } = await stream('?channel=room:r3', { 'Last-Event-ID': lastEventId });
    const live = await channels.publish('room:r3', 'n', 3);
    expect((await client.pushes(1)).map((p) => p.json)).toEqual([live]);
  });

  it('sends event: reset naming the channel when the gap is beyond history, then only live pushes', async () => {
    const { lastEventId } = await leaveAfter('room:r4', 1, HISTORY_SIZE + 2);
    const kept = await leaveAfter('room:r5', 1, 2);
    const cursor = mergeCursors(lastEventId, kept.lastEventId);
    const { client } = await stream('?channel=room:r4&channel=room:r5', {
      'Last-Event-ID': cursor,
    });
    const reset = await client.next((e) => e.event === 'reset');
    expect(reset.json).toEqual({ channels: ['room:r4'] });
    // After the reset the cursor holds room:r4's current position: a later resume starts there.
    expect(offsetIn(reset, 'room:r4')).toBe(1 + HISTORY_SIZE + 2);
    const replayed = await client.pushes(2);
    expect(replayed.map((p) => p.json)).toEqual(kept.missedPushes);
    const live = await channels.publish('room:r4', 'n', 99);
    expect((await client.pushes(1)).map((p) => p.json)).toEqual([live]);
  });

  it('resets a channel whose epoch changed (history lost)', async () => {
    await channels.publish('room:r6', 'n', 1);
    const forged = encodeCursor(new Map([['room:r6', { epoch: 'gone', offset: 1 }]]));
    const { client } = await stream('?channel=room:r6', { 'Last-Event-ID': forged });
    expect((await client.next((e) => e.event === 'reset')).json).toEqual({ channels: ['room:r6'] });
  });

  it('brings back a channel subscribed over POST: the cursor carries it', async () => {
    const { client, welcome } = await stream('');
    const bound = { ...AUTH('alice'), 'X-Channels-Connection': welcome.json.connectionId };
    await postCommand(
      `${base}/channels/messages`,
      { id: 1, event: 'subscribe', data: { channel: 'room:r7' } },
      bound,
    );
    await publish('room:r7', 1, 2);
    const seen = await client.pushes(2);
    client.close();
    await waitFor(() => channels.subscriptionCount('room:r7') === 0);
    const missed = await publish('room:r7', 3, 4);
    const resumed = await stream('', { 'Last-Event-ID': seen[1]!.id! });
    expect((await resumed.client.pushes(2)).map((p) => p.json)).toEqual(missed);
    expect(channels.subscriptionCount('room:r7')).toBe(1);
  });

  it('checks join authorization again for every channel in the cursor', async () => {
    const forged = encodeCursor(new Map([['user:bob', { epoch: 'x', offset: 0 }]]));
    const client = await RawSseClient.open(`${base}/channels/sse`, {
      ...AUTH('alice'),
      'Last-Event-ID': forged,
    });
    clients.push(client);
    expect(client.status).toBe(403);
  });

  it('resumes a real EventSource after the server drops its stream, with exactly the missed pushes', async () => {
    const source = new TestEventSource(`${base}/channels/sse?channel=user:alice`, 'alice', [
      'connected',
      'n',
      'close',
    ]);
    clients.push(source);
    const [connected] = await source.waitFor('connected', 1);
    const before = await publish('user:alice', 1, 2);
    await source.waitFor('n', 2);
    const release = source.holdReconnects();
    channels.disconnect(
      { connectionId: JSON.parse(connected!.data).connectionId },
      1012,
      'restart',
    );
    const [close] = await source.waitFor('close', 1);
    expect(JSON.parse(close!.data)).toEqual({ code: 1012, reason: 'restart' });
    await waitFor(() => source.requests.length === 2);
    const missed = await publish('user:alice', 3, 5);
    release();
    await source.waitFor('connected', 2);
    const live = await channels.publish('user:alice', 'n', 6);
    const received = await source.waitFor('n', 6);
    expect(received.map((e) => JSON.parse(e.data))).toEqual([...before, ...missed, live]);
    expect(source.requests[1]!.headers['Last-Event-ID']).toBe(received[1]!.lastEventId);
  });
});

function offsetIn(event: SseEvent, channel: string): number {
  return JSON.parse(Buffer.from(event.id!, 'base64url').toString())[channel][1];
}

function mergeCursors(...cursors: string[]): string {
  const merged = Object.assign(
    {},
    ...cursors.map((c) => JSON.parse(Buffer.from(c, 'base64url').toString())),
  );
  return Buffer.from(JSON.stringify(merged)).toString('base64url');
}
