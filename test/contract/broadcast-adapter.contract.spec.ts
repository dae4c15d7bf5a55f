import type { ControlMessage } from '../../lib/index.js';
import { RecordingConnection } from '../support/recording-connection.js';
import { IMPLEMENTATIONS, until, type Implementation } from './implementations.js';

// One suite, run against every adapter (as socket.io-redis-adapter runs its tests).
describe.each(IMPLEMENTATIONS.map((impl) => [impl.name, impl] as const))(
  'BroadcastAdapter contract: %s',
  (_name, impl: Implementation) => {
    beforeAll(() => impl.setUp(), 90_000);
    afterAll(() => impl.tearDown());

    it('delivers a new push once to each local subscriber, skipping `except`', async () => {
      const [node] = await impl.nodes(1);
      const [a, b] = [new RecordingConnection(), new RecordingConnection()];
      await node!.adapter.addLocal('c1:room', a);
      await node!.adapter.addLocal('c1:room', b);
      await node!.adapter.publishNew(node!.history, 'c1:room', 'e', { n: 1 }, [a.id]);
      await node!.adapter.publishNew(node!.history, 'c1:room', 'e', { n: 2 });
      await until(() => b.pushes.length === 2);
      await node!.adapter.publishNew(node!.history, 'c1:room', 'flush', null);
      await until(() => b.pushes.length === 3);
      expect(a.offsets()).toEqual([2, 3]);
      expect(b.offsets()).toEqual([1, 2, 3]);
      expect(b.pushes[1]!.frame).toMatchObject({ channel: 'c1:room', event: 'e', data: { n: 2 } });
    });

    it('lets every concurrent first subscriber go live only once the channel is active', async () => {
      const [node] = await impl.nodes(1);
      const subscribers = Array.from({ length: 5 }, () => new RecordingConnection());
      // The first starts the activation; a later one that resolves must find it done.
      const first = node!.adapter.addLocal('c2:room', subscribers[0]!);
      await Promise.all(subscribers.slice(1).map((c) => node!.adapter.addLocal('c2:room', c)));
      await node!.adapter.publishNew(node!.history, 'c2:room', 'e', 1);
      await first;
      await until(() => subscribers.every((c) => c.pushes.length === 1));
      expect(subscribers.map((c) => c.offsets())).toEqual(subscribers.map(() => [1]));
    });

    it('still receives after an unsubscribe and an immediate resubscribe', async () => {
      const [node] = await impl.nodes(1);
      const [a, b] = [new RecordingConnection(), new RecordingConnection()];
      await node!.adapter.addLocal('c3:room', a);
      node!.adapter.removeLocal('c3:room', a);
      await node!.adapter.addLocal('c3:room', b);
      await node!.adapter.publishNew(node!.history, 'c3:room', 'e', 1);
      await until(() => b.pushes.length === 1);
      await node!.adapter.settled();
      expect(a.pushes).toEqual([]);
      expect(node!.adapter.localChannels()).toContain('c3:room');
      node!.adapter.removeLocal('c3:room', b);
      await node!.adapter.settled();
      expect(node!.adapter.localChannels()).not.toContain('c3:room');
    });
  },
);

// The cases that need several nodes on one backend: every cluster implementation.
describe.each(
  IMPLEMENTATIONS.filter((impl) => impl.maxNodes >= 3).map((impl) => [impl.name, impl] as const),
)('BroadcastAdapter contract across nodes: %s', (_name, impl: Implementation) => {
  beforeAll(() => impl.setUp(), 90_000);
  afterAll(() => impl.tearDown());

  it('reaches subscribers on every node exactly once', async () => {
    const [nodeA, nodeB] = await impl.nodes(2);
    const [a, b] = [new RecordingConnection(), new RecordingConnection()];
    await nodeA!.adapter.addLocal('c4:room', a);
    await nodeB!.adapter.addLocal('c4:room', b);
    await nodeA!.adapter.publishNew(nodeA!.history, 'c4:room', 'e', 'from A');
    await nodeB!.adapter.publishNew(nodeB!.history, 'c4:room', 'e', 'from B');
    await until(() => a.pushes.length === 2 && b.pushes.length === 2);
    // A last push behind them proves nothing else was on its way.
    await nodeB!.adapter.publishNew(nodeB!.history, 'c4:room', 'e', 'end');
    await until(() => a.pushes.length === 3 && b.pushes.length === 3);
    expect(a.offsets()).toEqual([1, 2, 3]);
    expect(b.offsets()).toEqual([1, 2, 3]);
  });

  it('keeps one channel in offset order when nodes publish concurrently', async () => {
    const nodes = await impl.nodes(3);
    const watchers = nodes.map(() => new RecordingConnection());
    await Promise.all(nodes.map((n, i) => n.adapter.addLocal('c5:room', watchers[i]!)));
    const perNode = 50;
    await Promise.all(
      nodes.flatMap((n) =>
        Array.from({ length: perNode }, (_, i) =>
          n.adapter.publishNew(n.history, 'c5:room', 'e', i),
        ),
      ),
    );
    const total = perNode * nodes.length;
    await until(() => watchers.every((w) => w.pushes.length === total));
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    for (const watcher of watchers) expect(watcher.offsets()).toEqual(expected);
  });

  it('carries control messages to the other nodes, not back to the sender', async () => {
    const [nodeA, nodeB] = await impl.nodes(2);
    const seenA: ControlMessage[] = [];
    const seenB: ControlMessage[] = [];
    nodeA!.adapter.setControlListener((m) => seenA.push(m));
    nodeB!.adapter.setControlListener((m) => seenB.push(m));
    const message: ControlMessage = {
      type: 'disconnect',
      principalKey: 'alice',
      code: 4403,
      reason: 'x',
    };
    await nodeA!.adapter.publishControl(message);
    await until(() => seenB.length === 1);
    expect(seenB).toEqual([message]);
    // B's own message comes back to A, proving A's echo had time to arrive and was dropped.
    await nodeB!.adapter.publishControl({ ...message, reason: 'y' });
    await until(() => seenA.length === 1);
    expect(seenA.map((m) => (m as { reason: string }).reason)).toEqual(['y']);
    expect(seenB).toHaveLength(1);
  });
});
