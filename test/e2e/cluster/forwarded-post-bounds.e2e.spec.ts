import { Redis } from 'ioredis';
import type { IncomingMessage } from 'node:http';
import { rawPost } from '../../support/raw-post.mjs';
import { postCommand, RawSseClient } from '../../support/sse-client.js';
import { startStreamHolderNodes, type StreamHolderNodes } from './stream-holder.nodes.js';

// Each test names its own client address (X-Test-Ip), so the per-address budgets of one test
// do not spend another's.
const clientIp = (request: IncomingMessage) => String(request.headers['x-test-ip'] ?? 'none');
const who = (user: string, ip: string) => ({
  Authorization: `Bearer user-${user}`,
  'X-Test-Ip': ip,
});

// A POST bound to an SSE stream on another node: looked up without its body, forwarded to the
// stream's node, bounded in flight and by rate, and answered the same way for a stream held
// elsewhere by someone else as for one held nowhere.
describe('POSTs bound to an SSE stream on another node', () => {
  let nodes: StreamHolderNodes;
  let front: StreamHolderNodes['front'];
  let alice: StreamHolderNodes['alice'];

  beforeAll(async () => {
    nodes = await startStreamHolderNodes(
      { auth: { clientIp } },
      {},
      {
        limits: { maxForwardedPerPrincipal: 2, maxForwardedPerNode: 3, bodyTimeoutMs: 1_000 },
        rateLimits: { forwarded: { points: 10, durationMs: 60_000 } },
      },
      who('alice', 'a'),
    );
    ({ front, alice } = nodes);
  });
  afterAll(() => nodes?.close());

  const post = (user: string, ip: string, connection: string, command: unknown) =>
    postCommand(`${front.http}/channels/messages`, command, {
      ...who(user, ip),
      'X-Channels-Connection': connection,
    });

  it('runs a POST for a stream on the other node there and answers with its reply', async () => {
    const answer = await post('alice', 'b', alice.id, { id: 1, event: 'echo', data: 'hi' });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ id: 1, data: 'hi' });
  });

  it("refuses another principal's stream elsewhere exactly as a stream that exists nowhere", async () => {
    const theirs = await post('mallory', 'c', alice.id, { id: 2, event: 'echo' });
    const nowhere = await post('mallory', 'c', 'no-such-stream', { id: 2, event: 'echo' });
    expect(theirs.status).toBe(403);
    expect(nowhere.status).toBe(403);
    expect(theirs.json).toEqual(nowhere.json);
    expect(theirs.json.error.code).toBe('FORBIDDEN');
  });

  it('answers a POST for a stream held nowhere without waiting for its body', async () => {
    // 11 bytes of a declared 60,000: the lookup needs none of it, so the answer comes at once.
    const outcome = await rawPost(
      {
        url: `${front.http}/channels/messages`,
        headers: { ...who('bob', 'd'), 'X-Channels-Connection': 'no-such-stream' },
        sent: '{"id":3,"ev',
        declared: 60_000,
      },
      3_000,
    );
    expect(outcome.status).toBe(403);
    expect(outcome.answeredMs).toBeLessThan(500);
    // The unread rest is not waited for either: the socket is closed after the answer.
    expect(outcome.closedMs).toBeLessThan(500);
  });

  it('caps the forwarded POSTs in flight per principal (429) and per node (503), at once', async () => {
    const carolStream = await RawSseClient.connect(
      `${nodes.holder.http}/channels/sse`,
      who('carol', 'f'),
    );
    const streams: Record<string, string> = {
      alice: alice.id,
      carol: carolStream.welcome.json.connectionId as string,
    };
    const halfOpen = (user: string, ip: string) =>
      rawPost(
        {
          url: `${front.http}/channels/messages`,
          headers: { ...who(user, ip), 'X-Channels-Connection': streams[user]! },
          sent: '{"id":4,',
          declared: 100,
        },
        3_000,
      );
    // Alice's own stream, found; the bodies never finish, so each holds its place until 408.
    const held = [halfOpen('alice', 'e'), halfOpen('alice', 'e')];
    await new Promise((r) => setTimeout(r, 300));
    const third = await halfOpen('alice', 'e');
    expect(third.status).toBe(429);
    expect(third.retryAfter).toBe('1');
    expect(third.answeredMs).toBeLessThan(200);
    expect(JSON.parse(third.body).error.code).toBe('RATE_LIMITED');
    // Carol takes the node's third place; the fourth is the node's, not hers: 503.
    const carol = halfOpen('carol', 'f');
    await new Promise((r) => setTimeout(r, 300));
    const fourth = await halfOpen('carol', 'f');
    expect(fourth.status).toBe(503);
    expect(fourth.retryAfter).toBe('1');
    expect(JSON.parse(fourth.body).error.code).toBe('UNAVAILABLE');
    // The held ones end at the body deadline (1 s): 408, socket closed; their places free.
    for (const outcome of await Promise.all([...held, carol])) {
      expect(outcome.status).toBe(408);
      expect(outcome.answeredMs).toBeGreaterThan(900);
      expect(outcome.closedMs).toBeLessThan(2_000);
    }
    carolStream.client.close();
    const after = await post('alice', 'e', alice.id, { id: 5, event: 'echo', data: 'again' });
    expect(after.json).toEqual({ id: 5, data: 'again' });
  });

  it("answers 503 UNAVAILABLE while a node does not answer the lookup, for another's stream as for none", async () => {
    // A hung node: subscribed to the control channel, answering nothing.
    const silent = new Redis(nodes.redis.url);
    await silent.subscribe('channels:control');
    try {
      // The caller's own stream: its node says yes, which ends the lookup.
      const own = await post('alice', 'j', alice.id, { id: 7, event: 'echo' });
      expect(own.json).toEqual({ id: 7, data: null });
      // Not the caller's, or nobody's: the lookup waits for the hung node until the deadline.
      const started = Date.now();
      const theirs = await post('mallory', 'j', alice.id, { id: 7, event: 'echo' });
      const missing = await post('mallory', 'j', 'no-such-stream', { id: 7, event: 'echo' });
      expect(Date.now() - started).toBeLessThan(1_000);
      for (const answer of [theirs, missing]) {
        expect(answer.status).toBe(503);
        expect(answer.headers['retry-after']).toBe('1');
        expect(answer.json.error.code).toBe('UNAVAILABLE');
      }
      expect(theirs.json).toEqual(missing.json);
    } finally {
      silent.disconnect();
    }
    // Once it is gone, the live nodes' answers end the lookup again.
    await new Promise((r) => setTimeout(r, 100));
    expect((await post('mallory', 'j', 'no-such-stream', { event: 'echo' })).status).toBe(403);
  });

  it('charges forwarded POSTs to the principal and to the address, found or not', async () => {
    // Budget: 10 per minute. Dave spends his on streams that exist nowhere, from address g.
    for (let n = 0; n < 10; n++)
      expect((await post('dave', 'g', `gone-${n}`, { event: 'echo' })).status).toBe(403);
    const over = await post('dave', 'h', 'gone', { event: 'echo' });
    expect(over.status).toBe(429);
    expect(over.json.error.code).toBe('RATE_LIMITED');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // Address g is spent too, for anyone POSTing from it; another address is not.
    expect((await post('erin', 'g', alice.id, { event: 'echo' })).status).toBe(429);
    expect((await post('alice', 'i', alice.id, { id: 6, event: 'echo' })).json).toEqual({
      id: 6,
      data: null,
    });
  });
});
