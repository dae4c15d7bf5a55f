import { ChannelsError } from '../../lib/client/index.js';
import { Inbox, StateLog, useClientHarness } from './support/client-harness.js';

describe('ChannelsClient over WebSocket, against the module', () => {
  const harness = useClientHarness({}, { token: 'alice-token' });
  const client = harness.client;

  it('connects with a token, says which transport it uses, and goes through the states', async () => {
    const c = client();
    const log = new StateLog(c);
    const transports: string[] = [];
    c.on('transport', (t) => transports.push(t));
    expect(c.state).toBe('idle');
    await c.connect();
    expect(c.state).toBe('connected');
    expect(c.transport).toBe('websocket');
    expect(c.connectionId).toEqual(expect.any(String));
    expect(transports).toEqual(['websocket']);
    expect(log.changes).toEqual([
      { state: 'connecting' },
      { state: 'connected', transport: 'websocket', connectionId: c.connectionId },
    ]);
    expect(await c.request('whoami')).toEqual({
      id: 'alice',
      token: 'alice-token',
      transport: 'websocket',
    });
    c.close();
    expect(c.state).toBe('closed');
  });

  it('takes its token from getToken', async () => {
    let calls = 0;
    const c = client({ token: undefined, getToken: async () => (calls++, 'alice-token') });
    await c.connect();
    expect(await c.request('whoami')).toMatchObject({ id: 'alice' });
    expect(calls).toBe(1);
  });

  it('resolves a request with the reply data, and queues one made before connecting', async () => {
    const c = client();
    const early = c.request('echo', { queued: true });
    await c.connect();
    expect(await early).toEqual({ queued: true });
    expect(await c.request('echo', [1, 2])).toEqual([1, 2]);
    expect(await c.request('echo')).toBeNull();
  });

  it('rejects with a ChannelsError carrying the code and the validation details', async () => {
    const c = client();
    await c.connect();
    const error = await c.request('greet', { name: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelsError);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ property: 'name', messages: [expect.stringContaining('name')] }],
    });
    await expect(c.request('nope')).rejects.toMatchObject({ code: 'UNKNOWN_EVENT' });
    expect(await c.request('greet', { name: 'Bo' })).toBe('hello Bo');
  });

  it('times a request out with TIMEOUT, and keeps working', async () => {
    const c = client();
    await c.connect();
    await expect(c.request('slow', { ms: 1_000 }, { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    expect(await c.request('echo', 'after')).toBe('after');
  });

  it('delivers pushes to every handler of a channel, and stops after unsubscribe', async () => {
    const c = client();
    await c.connect();
    const first = new Inbox();
    const second = new Inbox();
    const sub1 = await c.subscribe('room:lobby', first.handler);
    await c.subscribe('room:lobby', second.handler);
    await harness.server.channels.publish('room:lobby', 'message', { n: 1 });
    expect(await first.count(1)).toEqual([{ n: 1 }]);
    expect(await second.count(1)).toEqual([{ n: 1 }]);
    await sub1.unsubscribe();
    expect(harness.server.channels.subscriptionCount('room:lobby')).toBe(1);
    await c.unsubscribe('room:lobby');
    expect(harness.server.channels.subscriptionCount('room:lobby')).toBe(0);
  });

  it('passes the push frame beside its data', async () => {
    const c = client();
    await c.connect();
    const frames: unknown[] = [];
    await c.subscribe('room:frames', (_data, push) => frames.push(push));
    await harness.server.channels.publish('room:frames', 'hello', 'there');
    await c.request('echo'); // a round trip: the push was written before the reply
    expect(frames).toEqual([
      {
        channel: 'room:frames',
        event: 'hello',
        data: 'there',
        offset: 1,
        epoch: expect.any(String),
      },
    ]);
  });

  it('connects on the first subscribe, without connect()', async () => {
    const c = client();
    const inbox = new Inbox();
    await c.subscribe('room:lazy', inbox.handler);
    expect(c.state).toBe('connected');
    await harness.server.channels.publish('room:lazy', 'e', 'lazy');
    expect(await inbox.count(1)).toEqual(['lazy']);
  });

  it('subscribes before connecting, once connected', async () => {
    const c = client();
    const inbox = new Inbox();
    const subscribed = c.subscribe('room:early', inbox.handler);
    await c.connect();
    await subscribed;
    await harness.server.channels.publish('room:early', 'e', 1);
    expect(await inbox.count(1)).toEqual([1]);
  });

  it('rejects a refused subscription with FORBIDDEN, and a bad channel name at once', async () => {
    const c = client();
    await c.connect();
    await expect(c.subscribe('user:bob', () => undefined)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      channel: 'user:bob',
    });
    await expect(c.subscribe('no spaces', () => undefined)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(harness.server.channels.subscriptionCount('user:bob')).toBe(0);
  });

  it('reports a throwing handler on the error event and keeps delivering', async () => {
    const c = client();
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    await c.connect();
    const inbox = new Inbox();
    await c.subscribe('room:throws', () => {
      throw new Error('handler bug');
    });
    await c.subscribe('room:throws', inbox.handler);
    await harness.server.channels.publish('room:throws', 'e', 1);
    await harness.server.channels.publish('room:throws', 'e', 2);
    expect(await inbox.count(2)).toEqual([1, 2]);
    expect(errors.map((e) => e.message)).toEqual(['handler bug', 'handler bug']);
  });

  it('fails requests with CLOSED after close(), and refuses new ones', async () => {
    const c = client();
    await c.connect();
    const inFlight = c.request('slow', { ms: 500 });
    c.close();
    await expect(inFlight).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(c.request('echo')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
