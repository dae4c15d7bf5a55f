import type { INestApplication } from '@nestjs/common';
import { ChannelsEvents, ChannelsService, type ChannelsEvent } from '../../../lib/index.js';
import { postCommand, RawSseClient } from '../../support/sse-client.js';
import { AUTH } from '../../support/token.guard.js';
import { TestClient } from '../../support/ws-client.js';
import { TokenGuard, startSseApp } from '../sse/sse.gateway.js';

// One lifecycle, whatever the transport: the same events, from the same places, for a
// WebSocket and an SSE client.
describe('lifecycle events (ChannelsEvents)', () => {
  let app: INestApplication;
  let ws: string;
  let http: string;
  let channels: ChannelsService;
  let seen: ChannelsEvent[];
  const open: Array<{ close(): void }> = [];

  const of = <T extends ChannelsEvent['type']>(type: T) =>
    seen.filter((e): e is Extract<ChannelsEvent, { type: T }> => e.type === type);
  const until = async (condition: () => boolean, what: string) => {
    for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
    if (!condition()) throw new Error(`gave up waiting for ${what}`);
  };
  const wsClient = async (user: string) => {
    const { client, welcome } = await TestClient.connect(`${ws}/rt`, { headers: AUTH(user) });
    open.push(client);
    return { client, id: welcome.data.connectionId as string };
  };
  const sseClient = async (user: string, query = '') => {
    const { client, welcome } = await RawSseClient.connect(`${http}/rt/sse${query}`, AUTH(user));
    open.push(client);
    return { client, id: welcome.json.connectionId as string };
  };

  beforeAll(async () => {
    ({ app, ws, http, channels } = await startSseApp({
      path: '/rt',
      auth: { handshakeGuards: [TokenGuard] },
    }));
    const events = app.get(ChannelsEvents);
    const types: Array<ChannelsEvent['type']> = [
      'connection.opened',
      'connection.closed',
      'connection.slow',
      'handshake.refused',
      'subscription.added',
      'subscription.removed',
      'command.handled',
      'rate.limited',
      'push.published',
      'push.delivered',
    ];
    for (const type of types) events.on(type, (event) => seen.push(event));
  });
  beforeEach(() => (seen = []));
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  it('reports connections of both transports opening and closing, with code and initiator', async () => {
    const alice = await wsClient('alice');
    const bob = await sseClient('bob');
    expect(of('connection.opened').map((e) => [e.transport, e.connection.id])).toEqual([
      ['websocket', alice.id],
      ['sse', bob.id],
    ]);
    expect(channels.nodeStats().connections).toEqual({ websocket: 1, sse: 1 });

    expect(channels.disconnect({ connectionId: alice.id }, 4403, 'banned')).toBe(1);
    expect((await alice.client.closed).code).toBe(4403);
    bob.client.close();
    await until(() => of('connection.closed').length === 2, 'both closes');
    expect(of('connection.closed').map((e) => [e.transport, e.code, e.by])).toEqual([
      ['websocket', 4403, 'server'],
      ['sse', 1005, 'client'],
    ]);
    expect(channels.nodeStats().connections).toEqual({ websocket: 0, sse: 0 });
  });

  it('reports refused handshakes on either transport with the error code as the reason', async () => {
    const refused = await TestClient.open(`${ws}/rt`, { headers: AUTH('banned') });
    expect((await refused.closed).code).toBe(4403);
    const anonymous = await RawSseClient.open(`${http}/rt/sse`, AUTH('nobody'));
    expect(anonymous.status).toBe(401);
    anonymous.close();
    expect(of('handshake.refused').map((e) => [e.transport, e.reason])).toEqual([
      ['websocket', 'FORBIDDEN'],
      ['sse', 'UNAUTHORIZED'],
    ]);
    expect(of('connection.opened')).toEqual([]);
  });

  it('reports subscriptions and commands, and each push once per node with its split by transport', async () => {
    const alice = await wsClient('alice');
    const bob = await sseClient('bob', '?channel=room:a');
    expect((await alice.client.request('subscribe', { channel: 'room:a' })).data.channel).toBe(
      'room:a',
    );
    expect(of('subscription.added').map((e) => [e.connection.id, e.channel])).toEqual([
      [bob.id, 'room:a'],
      [alice.id, 'room:a'],
    ]);
    expect(channels.nodeStats()).toMatchObject({ subscriptions: 2, channels: 1 });
    expect(channels.activeChannels()).toEqual(['room:a']);

    await channels.publish('room:a', 'hello', { n: 1 });
    await channels.publish('room:a', 'hello', { n: 2 }, { except: bob.id });
    await channels.publish('room:a', 'hello', { n: 3 }, { except: alice.id });
    expect(of('push.published').map((e) => e.push.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(of('push.delivered').map((e) => [e.delivered, e.sse])).toEqual([
      [2, 1],
      [1, 0],
      [1, 1],
    ]);

    const answer = await postCommand(
      `${http}/rt/messages`,
      { id: 7, event: 'unsubscribe', data: { channel: 'room:a' } },
      { ...AUTH('bob'), 'X-Channels-Connection': bob.id },
    );
    expect(answer.json).toEqual({ id: 7, data: { channel: 'room:a', unsubscribed: true } });
    expect(await alice.client.request('note', { title: '' })).toMatchObject({
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(of('subscription.removed').map((e) => [e.connection.id, e.channel])).toEqual([
      [bob.id, 'room:a'],
    ]);
    expect(
      of('command.handled').map((e) => [e.connection.transport, e.event, e.known, e.result]),
    ).toEqual([
      ['websocket', 'subscribe', true, 'ok'],
      ['sse', 'unsubscribe', true, 'ok'],
      ['websocket', 'note', true, 'VALIDATION_FAILED'],
    ]);
    for (const e of of('command.handled')) expect(e.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps going when a listener throws', async () => {
    const off = app.get(ChannelsEvents).on('connection.opened', () => {
      throw new Error('a broken audit hook');
    });
    try {
      const alice = await wsClient('alice');
      expect(await alice.client.request('echo', 1)).toEqual({ id: 1, data: 1 });
      expect(of('connection.opened')).toHaveLength(1);
    } finally {
      off();
    }
  });
});
