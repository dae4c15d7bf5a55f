import { ChannelGateway, OnMessage } from '../../../lib/index.js';
import { postCommand, RawSseClient, type HttpAnswer } from '../../support/sse-client.js';
import { sleep, waitFor } from '../../support/wait.js';
import type { Frame } from '../../support/ws-client.js';
import { useChannels } from './channels-app.js';
import { OpenGateway } from './gateways.js';

/** A promise with its resolve function. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A command whose handler runs until the test lets it go: a command in flight, on demand. */
class Hold {
  static started = deferred();
  static release = deferred();
  static reset(): void {
    Hold.started = deferred();
    Hold.release = deferred();
  }
}

@ChannelGateway()
class HoldGateway {
  @OnMessage('hold')
  async hold() {
    Hold.started.resolve();
    await Hold.release.promise;
    return 'released';
  }
}

// The module's (and the sample's) defaults: 100 commands per second, closed with 4429 after 50
// refusals within 10 s. The burst is handled in milliseconds, far inside one window.
const POINTS = 100;
const ABUSE_THRESHOLD = 50;

/** The answers of `client` by command id, each id's frames in the order they arrived. */
function answersById(frames: Frame[]): Map<number, Frame[]> {
  const byId = new Map<number, Frame[]>();
  for (const frame of frames) {
    if (typeof frame.id !== 'number') continue;
    byId.set(frame.id, [...(byId.get(frame.id) ?? []), frame]);
  }
  return byId;
}

/**
 * The commands read before the decision to close (at least the 150 that led to it) and only
 * those: a prefix of the ids sent, from `first`. Returns the last id answered.
 */
function expectAnsweredPrefix(byId: Map<number, Frame[]>, first: number): number {
  const ids = [...byId.keys()].filter((id) => id >= first).sort((a, b) => a - b);
  const last = ids[ids.length - 1] ?? 0;
  expect(last).toBeGreaterThanOrEqual(POINTS + ABUSE_THRESHOLD);
  expect(ids).toEqual(Array.from({ length: last - first + 1 }, (_, i) => i + first));
  return last;
}

function expectRateLimited(frame: Frame): void {
  expect(frame.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
  expect(frame.error.retryAfterMs).toBeGreaterThan(0);
}

describe('security: the answers owed before a 4429', () => {
  const channels = useChannels({}, [OpenGateway, HoldGateway]);
  const streams: RawSseClient[] = [];
  beforeEach(() => Hold.reset());
  afterEach(() => {
    Hold.release.resolve();
    streams.splice(0).forEach((stream) => stream.close());
  });

  describe('WebSocket', () => {
    it.each([160, 200, 2_000])(
      'answers every command of %i sent at once until the 4429, then nothing',
      async (count) => {
        const { client } = await channels.connect();
        for (let id = 1; id <= count; id++) client.send({ id, event: 'echo', data: id });
        expect(await client.closed).toEqual({
          code: 4429,
          reason: 'Rate limit exceeded repeatedly.',
        });
        const byId = answersById(client.frames);
        const answered = expectAnsweredPrefix(byId, 1);
        let replies = 0;
        for (const [id, frames] of byId) {
          expect(frames).toHaveLength(1);
          const [answer] = frames as [Frame];
          if ('data' in answer) {
            expect(answer).toEqual({ id, data: id });
            replies++;
          } else expectRateLimited(answer);
        }
        expect(replies).toBe(POINTS);
        console.log(
          JSON.stringify({ sent: count, answered, replies, refused: answered - replies }),
        );
      },
    );

    it('waits for a command in flight before the 4429, and drops what arrives after the decision', async () => {
      const { client } = await channels.connect();
      client.send({ id: 1, event: 'hold' });
      await Hold.started.promise;
      for (let id = 2; id <= 161; id++) client.send({ id, event: 'echo', data: id });
      // Ids 2-100 fit the budget (the hold took one point); the 50th refusal, id 150, is the
      // decision to close: its answer is written after it.
      const decided = POINTS + ABUSE_THRESHOLD;
      expectRateLimited(await client.next((f) => f.id === decided));
      for (let id = 1_001; id <= 1_010; id++) client.send({ id, event: 'echo', data: id });
      let closed = false;
      void client.closed.then(() => (closed = true));
      await sleep(300);
      expect(closed).toBe(false);

      Hold.release.resolve();
      expect(await client.next((f) => f.id === 1)).toEqual({ id: 1, data: 'released' });
      expect(await client.closed).toMatchObject({ code: 4429 });
      const byId = answersById([...client.frames, { id: decided }]);
      expectAnsweredPrefix(byId, 2);
      for (const frames of byId.values()) expect(frames).toHaveLength(1);
      for (let id = 1_001; id <= 1_010; id++) expect(byId.has(id)).toBe(false);
    });
  });

  describe('SSE', () => {
    // The same budget and threshold over a window no slow machine outlasts: 160 POSTs, each on
    // its own TCP connection, may take longer than the default one second to arrive.
    const sse = useChannels(
      {
        rateLimits: {
          message: {
            points: POINTS,
            durationMs: 60_000,
            abuseThreshold: ABUSE_THRESHOLD,
            abuseWindowMs: 60_000,
          },
        },
      },
      [OpenGateway, HoldGateway],
    );

    async function openStream(): Promise<{
      stream: RawSseClient;
      post: (command: unknown) => Promise<HttpAnswer>;
    }> {
      const { client: stream, welcome } = await RawSseClient.connect(`${sse.http}/channels/sse`);
      streams.push(stream);
      const headers = { 'X-Channels-Connection': welcome.json.connectionId as string };
      const post = (command: unknown) =>
        postCommand(`${sse.http}/channels/messages`, command, headers);
      return { stream, post };
    }

    it('ends the stream with event: close 4429 only after the POSTs already accepted are answered', async () => {
      const { stream, post } = await openStream();
      const held = post({ id: 1, event: 'hold' });
      await Hold.started.promise;
      const flood = await Promise.all(
        Array.from({ length: 160 }, (_, n) => post({ id: n + 2, event: 'echo', data: n + 2 })),
      );
      let ok = 0;
      let limited = 0;
      for (const [n, answer] of flood.entries()) {
        if (answer.status === 200) {
          expect(answer.json).toEqual({ id: n + 2, data: n + 2 });
          ok++;
        } else if (answer.status === 429) {
          expect(answer.json.id).toBe(n + 2);
          expectRateLimited(answer.json);
          expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
          limited++;
        } else {
          // Read after the decision to close: the stream takes no more commands.
          expect(answer.status).toBe(403);
          expect(answer.json.error.code).toBe('FORBIDDEN');
        }
      }
      expect(ok).toBe(POINTS - 1);
      expect(limited).toBeGreaterThanOrEqual(ABUSE_THRESHOLD);
      expect((await post({ id: 999, event: 'echo', data: 1 })).status).toBe(403);
      // The hold is still running: the close waits for its answer.
      await sleep(200);
      expect(stream.events.some((e) => e.event === 'close')).toBe(false);

      Hold.release.resolve();
      const answer = await held;
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ id: 1, data: 'released' });
      const close = await stream.next((e) => e.event === 'close');
      expect(close.json).toEqual({ code: 4429, reason: 'Rate limit exceeded repeatedly.' });
      await stream.ended;
    });
  });
});

describe('security: the wait for answers before a 4429 is bounded', () => {
  const channels = useChannels({ shutdown: { timeoutMs: 1_000 } }, [OpenGateway, HoldGateway]);
  beforeEach(() => Hold.reset());
  afterEach(() => Hold.release.resolve());

  it('closes after shutdown.timeoutMs when a handler never ends', async () => {
    const { client } = await channels.connect();
    client.send({ id: 1, event: 'hold' });
    await Hold.started.promise;
    const started = Date.now();
    for (let id = 2; id <= 161; id++) client.send({ id, event: 'echo', data: id });
    expect(await client.closed).toMatchObject({ code: 4429 });
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(900);
    await waitFor(() => channels.service.connectionCount() === 0);
    // Every command but the hold was answered before the close.
    expectAnsweredPrefix(answersById(client.frames), 2);
    expect(answersById(client.frames).has(1)).toBe(false);
  });
});
