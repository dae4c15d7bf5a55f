import type { PushFrame, SubscribeReply } from '../../lib/protocol/frames.js';
import { SubscriptionRegistry } from '../../lib/client/subscription.registry.js';

// Pub/sub between server nodes delivers at most once: a live push may skip offsets. The
// registry repairs the gap from history instead of delivering over it.
describe('SubscriptionRegistry gaps in live offsets', () => {
  let answers: Array<{ event: string; data: unknown; resolve(value: unknown): void }>;
  let resets: string[];
  let registry: SubscriptionRegistry;

  const push = (offset: number, epoch = 'e1'): PushFrame => ({
    channel: 'c',
    event: 'n',
    data: offset,
    offset,
    epoch,
  });
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
    registry = new SubscriptionRegistry({
      requestNow: (event, data) => new Promise((resolve) => answers.push({ event, data, resolve })),
      connected: () => true,
      reset: (channel) => resets.push(channel),
      subscribed: () => undefined,
      error: (error) => {
        throw error;
      },
    });
  });

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
