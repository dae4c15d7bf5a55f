import type { ClientEncoding, PushFrame } from '../../../lib/client/index.js';
import { unpackFrame } from '../../../lib/protocol/msgpack.codec.js';
import { RawSseClient, postCommand } from '../../support/sse-client.js';
import { waitFor } from '../../support/wait.js';
import { TestClient } from '../../support/ws-client.js';
import { Dashboard, RecordedClient, startDeltaApp } from './delta-app.js';

type Server = Awaited<ReturnType<typeof startDeltaApp>>;
type Frame = Record<string, unknown>;

const turn = () => new Promise((resolve) => setImmediate(resolve));
const decode = (message: string | Buffer): Frame =>
  (typeof message === 'string' ? JSON.parse(message) : unpackFrame(message)) as Frame;
/** Whether a frame is a push of `channel` (not a reply, the welcome, or a gap). */
const isPushOf = (channel: string) => (f: Frame) =>
  f.channel === channel && 'offset' in f && !('id' in f) && f.event !== 'gap';
/** The pushes of one connection's messages. */
const pushesIn = (messages: Array<string | Buffer>, channel: string) =>
  messages.map(decode).filter(isPushOf(channel));

describe.each<ClientEncoding>(['json', 'msgpack'])('delta pushes, WebSocket %s', (encoding) => {
  let server: Server;
  beforeAll(async () => (server = await startDeltaApp()));
  afterAll(() => server.app.close());

  it('a delta subscriber rebuilds what a full subscriber gets, push for push, through 100 pushes, a recovery and a latest skip, on fewer bytes', async () => {
    const channel = 'status:1';
    const full = new RecordedClient(server.http + '/channels', encoding);
    const delta = new RecordedClient(server.http + '/channels', encoding);
    const got = { full: new Map<number, unknown>(), delta: new Map<number, unknown>() };
    const keep = (into: Map<number, unknown>) => (data: unknown, push: PushFrame) =>
      into.set(push.offset, data);
    await full.client.subscribe(channel, keep(got.full));
    await delta.client.subscribe(channel, keep(got.delta), { delta: true });
    const dashboard = new Dashboard();
    const published = new Map<number, unknown>();
    let offset = 0;
    const publish = async (data: unknown) => {
      offset = (await server.service.publish(channel, 'status', data)).offset;
      published.set(offset, data);
    };
    // One push a turn: each is written before the next (nobody falls behind by accident).
    const ticks = async (count: number) => {
      for (let n = 0; n < count; n++) await publish(dashboard.tick()).then(turn);
    };
    const both = (what: string) =>
      waitFor(() => got.full.has(offset) && got.delta.has(offset), 15_000, what);

    // 1. 100 pushes of a 5 kB dashboard changing 5% each time.
    await ticks(100);
    await both('the 100 pushes');
    expect(got.delta.size).toBe(100);
    expect(got.delta).toEqual(got.full);
    expect(got.full).toEqual(published);
    const first = pushesIn(delta.messages[0]!, channel);
    // The first push after the subscribe is full; the 99 after it are deltas.
    expect(first[0]!.delta).toBeUndefined();
    expect(first.slice(1).every((f) => f.delta === true)).toBe(true);
    expect(pushesIn(full.messages[0]!, channel).some((f) => 'delta' in f)).toBe(false);
    // Fewer bytes on the wire, by far (each message: ~5 kB full, a few hundred bytes as a delta).
    process.stdout.write(
      `delta pushes, ${encoding}: 100 pushes, ${full.bytes} bytes full, ${delta.bytes} with deltas\n`,
    );
    expect(delta.bytes).toBeLessThan(full.bytes / 4);

    // 2. The connection is cut; 10 pushes go by; it recovers them, then gets deltas again.
    const resubscribed = new Promise<boolean>((resolve) =>
      delta.client.on('subscribed', (info) => info.resubscribed && resolve(info.recovered)),
    );
    // Heard as the state's change, not polled: a reconnect can be quicker than a poll.
    const cut = new Promise<void>((resolve) =>
      delta.client.on('state', (change) => change.state !== 'connected' && resolve()),
    );
    delta.socket!.destroy();
    await cut;
    await ticks(10);
    expect(await resubscribed).toBe(true);
    await ticks(10);
    await both('the pushes after the recovery');
    expect(got.delta.size).toBe(120);
    expect(got.delta).toEqual(got.full);
    expect(got.full).toEqual(published);
    const second = pushesIn(delta.messages[1]!, channel);
    // The replay travels in the subscribe reply (full); the first live push is full again.
    expect(second[0]!.delta).toBeUndefined();
    expect(second.slice(1).every((f) => f.delta === true)).toBe(true);

    // 3. It stops reading: `latest` skips pushes for it; what it gets next is full.
    delta.socket!.pause();
    // 3,000 pushes of 5 kB (their deltas ~2.5 kB) while it does not read: its buffer fills.
    for (let n = 0; n < 3_000; n++) {
      await publish(dashboard.replaceAll());
      if (n % 10 === 0) await turn();
    }
    delta.socket!.resume();
    await waitFor(() => got.delta.has(offset), 15_000, 'the newest push after the pause');
    await ticks(20);
    await both('the pushes after the skip');
    // Every value either subscriber got is the one published at that offset.
    for (const [at, value] of got.delta) expect(value).toEqual(published.get(at));
    for (const [at, value] of got.full) expect(value).toEqual(published.get(at));
    expect(got.delta.size).toBeLessThan(published.size);
    const third = pushesIn(delta.messages[1]!, channel).slice(second.length);
    const skippedAt = third.findIndex(
      (f, i) => i > 0 && (f.offset as number) > (third[i - 1]!.offset as number) + 1,
    );
    expect(skippedAt).toBeGreaterThan(0);
    expect(third[skippedAt]!.delta).toBeUndefined();
    expect(third.slice(-20).every((f) => f.delta === true)).toBe(true);

    full.client.close();
    delta.client.close();
  }, 90_000);

  it('on a `drop` channel: pushes dropped while it does not read come back after the gap, then deltas again', async () => {
    const channel = 'feed:1';
    const reader = new RecordedClient(server.http + '/channels', encoding);
    const got = new Map<number, unknown>();
    await reader.client.subscribe(channel, (data, push: PushFrame) => got.set(push.offset, data), {
      delta: true,
    });
    const dashboard = new Dashboard();
    const published = new Map<number, unknown>();
    const publish = async (data: unknown) => {
      const { offset } = await server.service.publish(channel, 'line', data);
      published.set(offset, data);
    };
    for (let n = 0; n < 10; n++) await publish(dashboard.tick()).then(turn);
    reader.socket!.pause();
    for (let n = 0; n < 3_000; n++) {
      await publish(dashboard.replaceAll());
      if (n % 10 === 0) await turn();
    }
    reader.socket!.resume();
    await waitFor(
      () => got.size === published.size,
      30_000,
      'every push, the dropped ones replayed',
    );
    for (let n = 0; n < 20; n++) await publish(dashboard.tick()).then(turn);
    await waitFor(() => got.size === published.size, 15_000, 'the pushes after the recovery');
    expect(got).toEqual(published);
    const frames = reader.messages.flat().map(decode);
    const gapAt = frames.findIndex((f) => f.channel === channel && f.event === 'gap');
    expect(gapAt).toBeGreaterThan(0);
    const after = frames.slice(gapAt + 1).filter(isPushOf(channel));
    expect(after.slice(-19).every((f) => f.delta === true)).toBe(true);
    reader.client.close();
  }, 90_000);
});

describe('delta pushes: what the subscribe reply says', () => {
  let server: Server;
  beforeAll(async () => (server = await startDeltaApp()));
  afterAll(() => server.app.close());

  it('over WebSocket: `delta: "fossil"` only when asked on a channel that allows it; a push whose delta is not smaller is sent full', async () => {
    const { client } = await TestClient.connect(server.ws);
    const reply = (data: object) => client.request('subscribe', data).then((f) => f.data);
    expect(await reply({ channel: 'status:2', delta: 'fossil' })).toMatchObject({
      delta: 'fossil',
    });
    expect(await reply({ channel: 'status:3' })).not.toHaveProperty('delta');
    expect(await reply({ channel: 'status:4', delta: 'vcdiff' })).not.toHaveProperty('delta');
    expect(await reply({ channel: 'plain:1', delta: 'fossil' })).not.toHaveProperty('delta');

    const dashboard = new Dashboard();
    await server.service.publish('status:2', 'status', dashboard.tick());
    await server.service.publish('status:2', 'status', dashboard.tick());
    await server.service.publish('status:2', 'status', dashboard.noise());
    await server.service.publish('status:2', 'status', 'short');
    const pushes = await Promise.all(
      [1, 2, 3, 4].map((offset) =>
        client.next((f) => f.channel === 'status:2' && f.offset === offset),
      ),
    );
    expect(pushes.map((f) => f.delta ?? false)).toEqual([false, true, false, false]);
    expect(pushes[1]!.data).toEqual({ $binary: expect.any(String) });
    expect(pushes[3]!.data).toBe('short');
    client.close();
  });

  it('with `except`: the excluded subscriber gets the position frame, then a full push, then deltas', async () => {
    const { client, welcome } = await TestClient.connect(server.ws);
    const id = welcome.data.connectionId as string;
    await client.request('subscribe', { channel: 'status:6', delta: 'fossil' });
    const dashboard = new Dashboard();
    const publish = (except?: string[]) =>
      server.service.publish('status:6', 'status', dashboard.tick(), except ? { except } : {});
    await publish();
    await publish();
    await publish([id]);
    await publish();
    await publish();
    const frames = await Promise.all(
      [1, 2, 3, 4, 5].map((offset) =>
        client.next((f) => f.channel === 'status:6' && f.offset === offset),
      ),
    );
    expect(frames.map((f) => ('event' in f ? (f.delta ?? false) : 'position'))).toEqual([
      false,
      true,
      'position',
      false,
      true,
    ]);
    client.close();
  });

  it('over SSE: deltas are not offered, the pushes are full', async () => {
    const { client, welcome } = await RawSseClient.connect(`${server.http}/channels/sse`);
    const answer = await postCommand(
      `${server.http}/channels/messages`,
      { id: 1, event: 'subscribe', data: { channel: 'status:5', delta: 'fossil' } },
      { 'X-Channels-Connection': welcome.json.connectionId },
    );
    expect(answer.json.data).toMatchObject({ channel: 'status:5' });
    expect(answer.json.data).not.toHaveProperty('delta');
    client.close();
  });
});
