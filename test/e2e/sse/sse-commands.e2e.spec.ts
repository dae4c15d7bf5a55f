import type { INestApplication } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { ChannelsService } from '../../../lib/index.js';
import { encodeCursor } from '../../../lib/transports/sse-cursor.js';
import { httpCall, postCommand, RawSseClient } from '../../support/sse-client.js';
import { AUTH } from '../../support/token.guard.js';
import { PLATFORMS } from '../../support/app.js';
import { TokenGuard, startSseApp } from './sse.gateway.js';

describe.each(PLATFORMS)('SSE transport on %s: commands over POST {path}/messages', (platform) => {
  let app: INestApplication;
  let base: string;
  let messages: string;
  let channels: ChannelsService;
  const clients: RawSseClient[] = [];

  async function stream(user: string, query = '') {
    const result = await RawSseClient.connect(`${base}/rt/sse${query}`, AUTH(user));
    clients.push(result.client);
    return { client: result.client, connectionId: result.welcome.json.connectionId as string };
  }

  beforeAll(async () => {
    ({ app, base, channels } = await startSseApp(
      {
        auth: {
          handshakeGuards: [TokenGuard],
          allowedOrigins: ['https://app.example', 'https://other.example'],
        },
        path: '/rt',
        limits: { maxPayloadBytes: 1024 },
        sse: { cors: { origins: ['https://app.example'], credentials: true } },
      },
      [],
      platform,
    ));
    messages = `${base}/rt/messages`;
  });

  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  it('answers a command with 200 and its reply frame', async () => {
    const answer = await postCommand(
      messages,
      { id: 1, event: 'echo', data: { a: 1 } },
      AUTH('alice'),
    );
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json).toEqual({ id: 1, data: { a: 1 } });
  });

  it('answers a command without id that succeeded with 204 and no body', async () => {
    const answer = await postCommand(messages, { event: 'echo', data: 1 }, AUTH('alice'));
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
  });

  it('still answers an error for a command without id, with its status', async () => {
    const answer = await postCommand(messages, { event: 'nope' }, AUTH('alice'));
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({
      error: { code: 'UNKNOWN_EVENT', message: 'No handler for event "nope".' },
    });
  });

  it.each([
    ['not JSON', 'nope{', 400, { error: { code: 'BAD_REQUEST', message: expect.any(String) } }],
    ['an array', '[1]', 400, { error: { code: 'BAD_REQUEST', message: expect.any(String) } }],
    [
      'no event',
      '{"id":3}',
      400,
      { id: 3, error: { code: 'BAD_REQUEST', message: expect.any(String) } },
    ],
    [
      'an unknown event',
      '{"id":4,"event":"nope"}',
      404,
      { id: 4, error: { code: 'UNKNOWN_EVENT', message: expect.any(String) } },
    ],
    [
      'an invalid DTO',
      '{"id":5,"event":"note","data":{"title":"","extra":1}}',
      400,
      {
        id: 5,
        error: {
          code: 'VALIDATION_FAILED',
          message: expect.any(String),
          details: expect.any(Array),
        },
      },
    ],
    [
      'a handler crash',
      '{"id":6,"event":"throws"}',
      500,
      { id: 6, error: { code: 'INTERNAL', message: 'Internal error.' } },
    ],
  ])('maps %s to its status and error frame', async (_name, body, status, frame) => {
    const answer = await postCommand(messages, body, AUTH('alice'));
    expect(answer.status).toBe(status);
    expect(answer.json).toEqual(frame);
    expect(answer.text).not.toContain('hunter2');
  });

  it('runs the DTO validation and hands the handler a DTO instance', async () => {
    const answer = await postCommand(
      messages,
      { id: 1, event: 'note', data: { title: 'hi' } },
      AUTH('alice'),
    );
    expect(answer.json).toEqual({ id: 1, data: { title: 'hi', isDto: true } });
  });

  it('answers RATE_LIMITED with 429 and Retry-After in whole seconds', async () => {
    const answer = await postCommand(messages, { id: 1, event: 'limited' }, AUTH('alice'));
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('2');
    expect(answer.json).toEqual({
      id: 1,
      error: { code: 'RATE_LIMITED', message: 'Slow down.', retryAfterMs: 1500 },
    });
  });

  it('authenticates every POST: 401 without credentials, 403 when the guard refuses', async () => {
    const none = await postCommand(messages, { id: 1, event: 'echo' });
    expect(none.status).toBe(401);
    // Refused before the body is read: the error frame has no id.
    expect(none.json).toEqual({
      error: { code: 'UNAUTHORIZED', status: 401, message: expect.any(String) },
    });
    const banned = await postCommand(messages, { id: 1, event: 'echo' }, AUTH('banned'));
    expect(banned.status).toBe(403);
    expect(banned.json.error.code).toBe('FORBIDDEN');
  });

  it('refuses a body over maxPayloadBytes with 413, declared or streamed', async () => {
    const big = JSON.stringify({ id: 1, event: 'echo', data: 'x'.repeat(2000) });
    const declared = await postCommand(messages, big, AUTH('alice'));
    expect(declared.status).toBe(413);
    expect(declared.json).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) },
    });
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        messages,
        {
          method: 'POST',
          headers: { ...AUTH('alice'), 'Content-Type': 'application/json' },
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(big.slice(0, 1000));
      setTimeout(() => req.end(big.slice(1000)), 20);
    });
    expect(streamed).toBe(413);
  });

  it('requires a JSON content type (a cross-site form cannot post a command)', async () => {
    const answer = await httpCall(messages, {
      method: 'POST',
      headers: { ...AUTH('alice'), 'Content-Type': 'text/plain' },
      body: '{"id":1,"event":"echo"}',
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe('BAD_REQUEST');
  });

  it('runs an unbound POST with a transient client that cannot subscribe', async () => {
    const who = await postCommand(messages, { id: 1, event: 'whoami' }, AUTH('alice'));
    expect(who.json.data).toEqual({
      id: 'http:alice',
      transport: 'sse',
      user: 'alice',
      channels: [],
    });
    const subscribe = await postCommand(
      messages,
      { id: 2, event: 'subscribe', data: { channel: 'room:a' } },
      AUTH('alice'),
    );
    expect(subscribe.status).toBe(400);
    expect(subscribe.json).toEqual({
      id: 2,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('X-Channels-Connection') },
    });
    const unsubscribe = await postCommand(
      messages,
      { id: 3, event: 'unsubscribe', data: { channel: 'room:a' } },
      AUTH('alice'),
    );
    expect(unsubscribe.status).toBe(400);
    expect(channels.connectionCount()).toBe(0);
  });

  it('binds a POST to its stream: subscribe, pushes on the stream, the cursor follows, unsubscribe', async () => {
    const { client, connectionId } = await stream('alice');
    const bound = { ...AUTH('alice'), 'X-Channels-Connection': connectionId };
    const who = await postCommand(messages, { id: 1, event: 'whoami' }, bound);
    expect(who.json.data).toEqual({
      id: connectionId,
      transport: 'sse',
      user: 'alice',
      channels: [],
    });

    const subscribed = await postCommand(
      messages,
      { id: 2, event: 'subscribe', data: { channel: 'room:bound' } },
      bound,
    );
    expect(subscribed.status).toBe(200);
    expect(subscribed.json).toEqual({
      id: 2,
      data: {
        channel: 'room:bound',
        offset: 0,
        epoch: expect.any(String),
        delivery: 'all',
        recovered: false,
        missed: [],
      },
    });
    const epoch = subscribed.json.data.epoch;
    await channels.publish('room:bound', 'hello', { n: 1 });
    const [push] = await client.pushes(1);
    expect(push!.event).toBe('hello');
    expect(push!.json).toEqual({
      channel: 'room:bound',
      event: 'hello',
      data: { n: 1 },
      offset: 1,
      epoch,
    });
    expect(JSON.parse(Buffer.from(push!.id!, 'base64url').toString())).toEqual({
      'room:bound': [epoch, 1],
    });

    const refused = await postCommand(
      messages,
      { id: 3, event: 'subscribe', data: { channel: 'room:secret' } },
      bound,
    );
    expect(refused.status).toBe(403);

    const left = await postCommand(
      messages,
      { id: 4, event: 'unsubscribe', data: { channel: 'room:bound' } },
      bound,
    );
    expect(left.json).toEqual({ id: 4, data: { channel: 'room:bound', unsubscribed: true } });
    expect(channels.subscriptionCount('room:bound')).toBe(0);
  });

  it('lets a bound handler publish to others on the channel, skipping its own stream', async () => {
    const alice = await stream('alice', '?channel=room:shout');
    const bob = await stream('bob', '?channel=room:shout');
    const bound = { ...AUTH('alice'), 'X-Channels-Connection': alice.connectionId };
    const answer = await postCommand(
      messages,
      { event: 'shout', data: { channel: 'room:shout', text: 'hey' } },
      bound,
    );
    expect(answer.status).toBe(204);
    const [push] = await bob.client.pushes(1);
    expect(push!.json.data).toEqual({ text: 'hey' });
    await channels.publish('room:shout', 'after', null);
    // The sender's stream learns the channel moved (its cursor with it), with no push to show.
    const [position, next] = await alice.client.pushes(2);
    expect(position!.event).toBe('position');
    expect(position!.json).toEqual({ channel: 'room:shout', offset: 1, epoch: push!.json.epoch });
    expect(position!.id).toBe(encodeCursor(new Map([['room:shout', position!.json]])));
    expect(next!.event).toBe('after');
    expect(next!.json.offset).toBe(2);
  });

  it("resumes an excluded stream's cursor past the push it was excluded from", async () => {
    const alice = await stream('alice', '?channel=room:echo&channel=room:tick');
    const bob = await stream('bob', '?channel=room:echo');
    const bound = { ...AUTH('alice'), 'X-Channels-Connection': alice.connectionId };
    await postCommand(
      messages,
      { event: 'shout', data: { channel: 'room:echo', text: 'mine' } },
      bound,
    );
    await bob.client.pushes(1);
    // A push on the stream's other channel: its id is the cursor of both channels.
    await channels.publish('room:tick', 'tick', null);
    const tick = await alice.client.next((e) => e.event === 'tick');
    alice.client.close();
    // Resuming from the last id the stream got replays nothing it was meant not to see.
    const again = await RawSseClient.connect(`${base}/rt/sse?channel=room:echo&channel=room:tick`, {
      ...AUTH('alice'),
      'Last-Event-ID': tick.id!,
    });
    clients.push(again.client);
    await channels.publish('room:echo', 'after', null);
    const [next] = await again.client.pushes(1);
    expect([next!.event, next!.json.offset]).toEqual(['after', 2]);
  });

  it("refuses a POST naming another principal's stream, or no open stream, with 403", async () => {
    const { connectionId } = await stream('alice');
    const stolen = await postCommand(
      messages,
      { id: 1, event: 'whoami' },
      { ...AUTH('bob'), 'X-Channels-Connection': connectionId },
    );
    expect(stolen.status).toBe(403);
    expect(stolen.json).toEqual({
      id: 1,
      error: { code: 'FORBIDDEN', message: expect.any(String) },
    });
    const unknown = await postCommand(
      messages,
      { id: 1, event: 'whoami' },
      { ...AUTH('bob'), 'X-Channels-Connection': 'nope' },
    );
    expect(unknown.status).toBe(403);
    expect(unknown.json.error.message).toBe(stolen.json.error.message);
  });

  it('answers CORS preflights for allowed origins only, and adds CORS headers to answers', async () => {
    const preflight = await httpCall(messages, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type, x-channels-connection',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    const allowedHeaders = preflight.headers['access-control-allow-headers']!.toLowerCase();
    for (const header of ['authorization', 'content-type', 'x-channels-connection'])
      expect(allowedHeaders).toContain(header);

    const foreign = await httpCall(messages, {
      method: 'OPTIONS',
      headers: { Origin: 'https://other.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();

    const answer = await postCommand(
      messages,
      { id: 1, event: 'limited' },
      { ...AUTH('alice'), Origin: 'https://app.example' },
    );
    expect(answer.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(answer.headers['access-control-expose-headers']).toContain('Retry-After');
    // Admitted by allowedOrigins but not a CORS origin: served, with no CORS headers to read it.
    const other = await postCommand(
      messages,
      { id: 1, event: 'echo' },
      { ...AUTH('alice'), Origin: 'https://other.example' },
    );
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const evil = await postCommand(
      messages,
      { id: 1, event: 'echo' },
      { ...AUTH('alice'), Origin: 'https://evil.example' },
    );
    expect(evil.status).toBe(403);
  });
});
