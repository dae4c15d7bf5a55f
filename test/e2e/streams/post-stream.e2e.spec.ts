import type { INestApplication } from '@nestjs/common';
import { startApp } from '../../support/app.js';
import { RawSseClient, type SseEvent } from '../../support/sse-client.js';
import { AUTH } from '../../support/token.guard.js';
import { waitFor } from '../../support/wait.js';
import { StreamLog, streamApp } from './stream.gateway.js';

// The AI-streaming case with no SDK: a POST that accepts text/event-stream gets the streamed
// reply as its own SSE response, and a GET with Last-Event-ID resumes it.
describe('POST /channels/messages with Accept: text/event-stream', () => {
  let app: INestApplication;
  let http: string;
  const log = new StreamLog();
  const clients: RawSseClient[] = [];

  const post = async (data: unknown, token = 'alice') => {
    const client = await RawSseClient.post(
      `${http}/channels/messages`,
      { id: 1, event: 'count', data },
      AUTH(token),
    );
    clients.push(client);
    return client;
  };
  const values = (events: SseEvent[]) => events.map((e) => e.json.data);

  beforeAll(async () => {
    ({ app, http } = await startApp(streamApp(log, { streams: { idleMs: 2_000 } })));
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  it('streams the reply as its own response: connected, each value with an id, stream.end, then close', async () => {
    const client = await post({ key: 'post-whole', n: 5, ms: 2 });
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
    await client.next((e) => e.event === 'connected');
    const pushes = await client.pushes(6);
    expect(pushes.map((e) => e.event)).toEqual([...Array(5).fill('stream.data'), 'stream.end']);
    expect(values(pushes)).toEqual([1, 2, 3, 4, 5, null]);
    expect(pushes.every((e) => typeof e.id === 'string' && e.id.length > 0)).toBe(true);
    expect((await client.next((e) => e.event === 'close')).json).toMatchObject({ code: 1000 });
    await client.ended;
  });

  it('resumes at 21 with GET /channels/sse?channel=<stream channel> and the Last-Event-ID of 20', async () => {
    const key = 'post-cut';
    const first = await post({ key, n: 40, ms: 15 });
    await first.next((e) => e.event === 'connected');
    const before = await first.pushes(20);
    expect(values(before)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const channel = before[19]!.json.channel as string;
    expect(channel).toMatch(/^stream:/);
    // The response is cut: the handler goes on (a dropped connection is not a cancellation).
    first.close();
    await first.ended;
    const resumed = await RawSseClient.open(
      `${http}/channels/sse?channel=${encodeURIComponent(channel)}`,
      { ...AUTH('alice'), 'Last-Event-ID': before[19]!.id! },
    );
    clients.push(resumed);
    expect(resumed.status).toBe(200);
    const after = await resumed.pushes(21, 10_000);
    expect(values(after)).toEqual([...Array.from({ length: 20 }, (_, i) => i + 21), null]);
    expect(after[20]!.event).toBe('stream.end');
    await waitFor(() => log.torn(key) === 1);
  });

  it("refuses another principal's stream channel (403), before any stream", async () => {
    const mine = await post({ key: 'post-private', n: 3, ms: 50 });
    const [push] = await mine.pushes(1);
    const theirs = await RawSseClient.open(
      `${http}/channels/sse?channel=${encodeURIComponent(push!.json.channel)}`,
      AUTH('mallory'),
    );
    clients.push(theirs);
    expect(theirs.status).toBe(403);
    expect(JSON.parse(await theirs.body())).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('answers a POST without Accept: text/event-stream with the JSON reply naming the stream', async () => {
    const response = await fetch(`${http}/channels/messages`, {
      method: 'POST',
      headers: { ...AUTH('alice'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 3, event: 'count', data: { key: 'post-json', n: 2, ms: 1 } }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: 3,
      data: null,
      stream: { channel: expect.stringMatching(/^stream:/), epoch: expect.any(String) },
    });
  });
});
