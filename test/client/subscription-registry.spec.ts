import { ChannelsError } from '../../lib/client/channels.error.js';
import {
  SubscriptionRegistry,
  type SubscribedInfo,
} from '../../lib/client/subscription.registry.js';
import type { PositionFrame, PushFrame, SubscribeReply } from '../../lib/protocol/frames.js';

// Each test drives one registry directly: its requests wait in `answers` for the test to
// answer them.
let answers: Array<{
  event: string;
  data: unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}>;
let resets: string[];
let subscribed: SubscribedInfo[];
let connected: boolean;
let registry: SubscriptionRegistry;

const push = (offset: number, epoch = 'e1'): PushFrame => ({
  channel: 'c',
  event: 'n',
  data: offset,
  offset,
  epoch,
});
const position = (offset: number, epoch = 'e1'): PositionFrame => ({ channel: 'c', offset, epoch });
const reply = (partial: Partial<SubscribeReply>): SubscribeReply => ({
  channel: 'c',
  offset: 0,
  epoch: 'e1',
  recovered: false,
  missed: [],
  ...partial,
});
const answer = (value: unknown) => answers.shift()!.resolve(value);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  answers = [];
  resets = [];
  subscribed = [];
  connected = true;
  registry = new SubscriptionRegistry({
    requestNow: (event, data) =>
      new Promise((resolve, reject) => answers.push({ event, data, resolve, reject })),
    connected: () => connected,
    reset: (channel) => resets.push(channel),
    subscribed: (info) => subscribed.push(info),
    error: (error) => {
      throw error;
    },
    retryDelay: (attempt, error) =>
      error.code === 'UNAVAILABLE' && attempt < 2 ? (error.retryAfterMs ?? 0) : undefined,
  });
});

// The registry's ordering rules, driven directly: over SSE the subscribe reply (an HTTP
// response) and live pushes (the stream) travel apart, in either order; here the test
// chooses the order.
describe('SubscriptionRegistry ordering', () => {
  it('holds pushes that overtake the subscribe reply, then delivers them after it, in order, once', async () => {
    const got: number[] = [];
    const ready = registry.add<number>('c', (n) => got.push(n), {});
    registry.push(push(7));
    registry.push(push(6));
    registry.push(push(5)); // already covered by the reply's offset
    answer(reply({ offset: 5 }));
    await ready;
    registry.push(push(7)); // a duplicate
    registry.push(push(8));
    expect(got).toEqual([6, 7, 8]);
  });

  it('replays the missed pushes of a resubscribe before the held live ones', async () => {
    const got: number[] = [];
    const ready = registry.add<number>('c', (n) => got.push(n), {});
    answer(reply({ offset: 2 }));
    await ready;
    registry.push(push(3));
    registry.suspend();
    registry.resume();
    expect(answers[0]!.data).toEqual({ channel: 'c', since: { epoch: 'e1', offset: 3 } });
    registry.push(push(6));
    answer(reply({ offset: 5, recovered: true, missed: [push(4), push(5)] }));
    await tick();
    expect(got).toEqual([3, 4, 5, 6]);
    expect(subscribed.at(-1)).toEqual({ channel: 'c', resubscribed: true, recovered: true });
    expect(resets).toEqual([]);
  });

  it('resets instead of replaying part of a gap, and starts over from the new position', async () => {
    const got: number[] = [];
    let onReset = 0;
    const ready = registry.add<number>('c', (n) => got.push(n), { onReset: () => onReset++ });
    answer(reply({ offset: 1 }));
    await ready;
    registry.suspend();
    registry.resume();
    answer(reply({ offset: 1, epoch: 'e2', recovered: false }));
    await tick();
    registry.push(push(2, 'e2'));
    expect(got).toEqual([2]);
    expect(resets).toEqual(['c']);
    expect(onReset).toBe(1);
  });

  it('drops a refused channel and rejects its subscribers', async () => {
    const ready = registry.add('c', () => undefined, {});
    answers.shift()!.reject(new ChannelsError('FORBIDDEN', 'no'));
    await expect(ready).rejects.toMatchObject({ code: 'FORBIDDEN', channel: 'c' });
    registry.resume();
    expect(answers).toEqual([]);
  });

  it("sends a channel's subscribe and unsubscribe commands one at a time, in the app's order", async () => {
    const first = registry.add('c', () => undefined, {});
    const firstEnded = expect(first).rejects.toMatchObject({ code: 'CLOSED' });
    const left = registry.remove('c');
    const got: number[] = [];
    const second = registry.add<number>('c', (n) => got.push(n), {});
    registry.add('other', () => undefined, {}); // another channel does not wait
    expect(answers.map((a) => [a.event, a.data])).toEqual([
      ['subscribe', { channel: 'c' }],
      ['subscribe', { channel: 'other' }],
    ]);
    answers.splice(1, 1);
    answer(reply({ offset: 1 }));
    await firstEnded;
    await tick();
    expect(answers.map((a) => [a.event, a.data])).toEqual([['unsubscribe', { channel: 'c' }]]);
    answer({ channel: 'c', unsubscribed: true });
    await left;
    await tick();
    expect(answers.map((a) => [a.event, a.data])).toEqual([['subscribe', { channel: 'c' }]]);
    registry.push(push(3)); // held until the reply
    answer(reply({ offset: 2 }));
    await second;
    expect(got).toEqual([3]);
    expect(answers).toEqual([]);
  });

  it('drops the commands still waiting when the connection is lost', async () => {
    void registry.add('c', () => undefined, {}).catch(() => undefined);
    void registry.remove('c');
    const again = registry.add('c', () => undefined, {});
    expect(answers.map((a) => a.event)).toEqual(['subscribe']);
    registry.suspend();
    answers.shift()!.reject(new ChannelsError('DISCONNECTED', 'lost'));
    await tick();
    expect(answers).toEqual([]);
    registry.resume();
    expect(answers.map((a) => [a.event, a.data])).toEqual([['subscribe', { channel: 'c' }]]);
    answer(reply({}));
    await expect(again).resolves.toMatchObject({ channel: 'c' });
  });

  it('asks again after retryAfterMs when the subscribe was rate limited', async () => {
    const ready = registry.add('c', () => undefined, {});
    answers.shift()!.reject(new ChannelsError('RATE_LIMITED', 'slow down', { retryAfterMs: 20 }));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(answers.map((a) => a.event)).toEqual(['subscribe']);
    answer(reply({}));
    await expect(ready).resolves.toMatchObject({ channel: 'c' });
  });

  it('asks again after each UNAVAILABLE as its host says, then fails like a refusal', async () => {
    // This registry's host allows two retries, each after the answer's retryAfterMs.
    const unavailable = () =>
      new ChannelsError('UNAVAILABLE', 'broker away', { retryAfterMs: 20, status: 503 });
    const ready = registry.add('c', () => undefined, {});
    for (let retry = 0; retry < 2; retry++) {
      answers.shift()!.reject(unavailable());
      await tick();
      expect(answers).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(answers.map((a) => a.event)).toEqual(['subscribe']);
    }
    answers.shift()!.reject(unavailable());
    await expect(ready).rejects.toMatchObject({ code: 'UNAVAILABLE', channel: 'c' });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(answers).toEqual([]);
  });

  it('counts UNAVAILABLE answers again from zero once a subscribe went through', async () => {
    const ready = registry.add('c', () => undefined, {});
    answers.shift()!.reject(new ChannelsError('UNAVAILABLE', 'away', { retryAfterMs: 5 }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    answer(reply({ offset: 1 }));
    await ready;
    // A gap makes it subscribe again; two more UNAVAILABLEs are still within its retries.
    registry.push(push(3));
    await tick();
    for (let retry = 0; retry < 2; retry++) {
      answers.shift()!.reject(new ChannelsError('UNAVAILABLE', 'away', { retryAfterMs: 5 }));
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(answers.map((a) => [a.event, a.data])).toEqual([
      ['subscribe', { channel: 'c', since: { epoch: 'e1', offset: 1 } }],
    ]);
  });
});

describe('SubscriptionRegistry and the SSE reset event', () => {
  it('resets the named channels it holds, and ignores the others', async () => {
    const answers: Array<(value: unknown) => void> = [];
    const resets: string[] = [];
    let onReset = 0;
    const registry = new SubscriptionRegistry({
      requestNow: () => new Promise((resolve) => answers.push(resolve)),
      connected: () => true,
      reset: (channel) => resets.push(channel),
      subscribed: () => undefined,
      error: (error) => {
        throw error;
      },
      retryDelay: () => undefined,
    });
    const got: number[] = [];
    const ready = registry.add<number>('c', (n) => got.push(n), { onReset: () => onReset++ });
    answers.shift()!({ channel: 'c', offset: 3, epoch: 'e1', recovered: false, missed: [] });
    await ready;
    registry.resetChannels(['c', 'not-mine']);
    expect(resets).toEqual(['c']);
    expect(onReset).toBe(1);
    // The position is forgotten: the next push is taken whatever its offset.
    registry.push({ channel: 'c', event: 'n', data: 1, offset: 1, epoch: 'e1' });
    expect(got).toEqual([1]);
  });
});

// Pub/sub between server nodes delivers at most once: a live push may skip offsets. The
// registry repairs the gap from history instead of delivering over it.
describe('SubscriptionRegistry gaps in live offsets', () => {
  it('resubscribes from the last push when one is skipped, and delivers 1..N in order', async () => {
    const got: number[] = [];
    const ready = registry.add<number>('c', (n) => got.push(n), {});
    await tick();
    answer(reply({ offset: 0 }));
    await ready;
    registry.push(push(1));
    registry.push(push(3)); // 2 was lost between the nodes
    registry.push(push(4));
    await tick();
    expect(got).toEqual([1]);
    expect(answers.map((a) => [a.event, a.data])).toEqual([
      ['subscribe', { channel: 'c', since: { epoch: 'e1', offset: 1 } }],
    ]);
    answer(reply({ offset: 4, recovered: true, missed: [push(2), push(3), push(4)] }));
    await tick();
    expect(got).toEqual([1, 2, 3, 4]);
    expect(resets).toEqual([]);
  });

  it('asks again on a new epoch, and tells the app when nothing could be replayed', async () => {
    const got: number[] = [];
    let resetCalls = 0;
    const ready = registry.add<number>('c', (n) => got.push(n), {
      onReset: () => resetCalls++,
    });
    await tick();
    answer(reply({ offset: 0 }));
    await ready;
    registry.push(push(1));
    registry.push(push(1, 'e2')); // the history was lost (a Redis restart)
    await tick();
    expect(answers[0]!.data).toEqual({ channel: 'c', since: { epoch: 'e1', offset: 1 } });
    answer(reply({ offset: 1, epoch: 'e2', recovered: false }));
    await tick();
    expect(resetCalls).toBe(1);
    registry.push(push(2, 'e2'));
    expect(got).toEqual([1, 2]);
  });
});

// A push published with `except` reaches the excluded connection as a position frame: the
// channel moved, nothing to deliver.
describe('SubscriptionRegistry position frames', () => {
  it('moves the position without a delivery: no gap, no resubscribe', async () => {
    const got: number[] = [];
    const ready = registry.add<number>('c', (n) => got.push(n), {});
    await tick();
    answer(reply({ offset: 0 }));
    await ready;
    registry.push(push(1));
    registry.push(position(2));
    registry.push(push(3));
    await tick();
    expect(got).toEqual([1, 3]);
    expect(answers).toEqual([]);
  });

  it('holds one that overtakes the subscribe reply, in order with the pushes', async () => {
    const got: number[] = [];
    const ready = registry.add<number>('c', (n) => got.push(n), {});
    await tick();
    registry.push(push(3));
    registry.push(position(2));
    answer(reply({ offset: 1 }));
    await ready;
    registry.push(push(4));
    await tick();
    expect(got).toEqual([3, 4]);
    expect(answers).toEqual([]);
  });

  it('repairs a real gap before one, and leaves the push it stands for out of the replay', async () => {
    const got: number[] = [];
    const ready = registry.add<number>('c', (n) => got.push(n), {});
    await tick();
    answer(reply({ offset: 0 }));
    await ready;
    registry.push(push(1));
    registry.push(position(3)); // 2 was lost; 3 excluded this connection
    await tick();
    expect(answers.map((a) => a.data)).toEqual([
      { channel: 'c', since: { epoch: 'e1', offset: 1 } },
    ]);
    answer(reply({ offset: 3, recovered: true, missed: [push(2), push(3)] }));
    await tick();
    registry.push(push(4));
    expect(got).toEqual([1, 2, 4]);
    expect(resets).toEqual([]);
  });
});
