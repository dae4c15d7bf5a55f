import type { ControlMessage } from '../../lib/index.js';
import { IMPLEMENTATIONS, pushesOf, until, type Implementation } from './implementations.js';

// One suite, run against every broker (as socket.io-redis-adapter runs its tests), the
// example of docs/broker.md included.
describe.each(IMPLEMENTATIONS.map((impl) => [impl.name, impl] as const))(
  'Broker contract: %s',
  (_name, impl: Implementation) => {
    beforeAll(() => impl.setUp(), 90_000);
    afterAll(() => impl.tearDown());

    it('sequences a channel from offset 1 and delivers each push once, with its except', async () => {
      const [node] = await impl.nodes(1);
      await node!.broker.subscribe('b1:room');
      const first = await node!.broker.publish('b1:room', 'e', 'one', ['c1']);
      const second = await node!.broker.publish('b1:room', 'e', 'two');
      expect([first.offset, second.offset]).toEqual([1, 2]);
      expect(second.epoch).toBe(first.epoch);
      await until(() => pushesOf(node!, 'b1:room').length === 2);
      await node!.broker.publish('b1:room', 'flush', 'three');
      await until(() => pushesOf(node!, 'b1:room').length === 3);
      expect(pushesOf(node!, 'b1:room')).toEqual(['1:one', '2:two', '3:three']);
      const pushes = node!.received.filter((m) => m.type === 'push');
      expect(pushes[0]).toMatchObject({ push: { event: 'e' }, except: ['c1'] });
      expect(pushes[1]!.type === 'push' && pushes[1]!.except).toBeFalsy();
    });

    it('answers history: the position, what came after `since`, and nothing partial after a loss', async () => {
      const nodes = await impl.nodes(1);
      const pushed = [];
      for (const data of ['a', 'b', 'c'])
        pushed.push(await nodes[0]!.broker.publish('b2:room', 'e', data));
      const read = await nodes[0]!.broker.history('b2:room', {
        epoch: pushed[0]!.epoch,
        offset: 1,
      });
      expect(read.position).toEqual({ epoch: pushed[0]!.epoch, offset: 3 });
      expect(read.missed?.map((push) => push.data)).toEqual(['b', 'c']);
      await impl.loseHistory(nodes);
      const after = await nodes[0]!.broker.history('b2:room', {
        epoch: pushed[0]!.epoch,
        offset: 1,
      });
      expect(after.missed).toBeUndefined();
      expect(after.position.epoch).not.toBe(pushed[0]!.epoch);
    });

    it('rejects nothing and loses nothing for a subscribe, unsubscribe and resubscribe in a row', async () => {
      const [node] = await impl.nodes(1);
      await node!.broker.subscribe('b3:room');
      await node!.broker.unsubscribe('b3:room');
      await node!.broker.subscribe('b3:room');
      await node!.broker.publish('b3:room', 'e', 'x');
      await until(() => pushesOf(node!, 'b3:room').length === 1);
      expect(node!.broker.isReady()).toBe(true);
      expect(await node!.broker.healthy()).toBe(true);
    });
  },
);

// The cases that need several nodes on one backend: every broker that spans nodes.
describe.each(
  IMPLEMENTATIONS.filter((impl) => impl.maxNodes >= 3).map((impl) => [impl.name, impl] as const),
)('Broker contract across nodes: %s', (_name, impl: Implementation) => {
  beforeAll(() => impl.setUp(), 90_000);
  afterAll(() => impl.tearDown());

  it('reaches every subscribed node exactly once, and no node that unsubscribed', async () => {
    const [nodeA, nodeB, nodeC] = await impl.nodes(3);
    await Promise.all([nodeA!.broker.subscribe('b4:room'), nodeB!.broker.subscribe('b4:room')]);
    await nodeC!.broker.subscribe('b4:room');
    await nodeC!.broker.unsubscribe('b4:room');
    await nodeA!.broker.publish('b4:room', 'e', 'from A');
    await nodeB!.broker.publish('b4:room', 'e', 'from B');
    // A last push behind them proves nothing else was on its way.
    await nodeC!.broker.publish('b4:room', 'e', 'end');
    await until(
      () => pushesOf(nodeA!, 'b4:room').length === 3 && pushesOf(nodeB!, 'b4:room').length === 3,
    );
    expect(pushesOf(nodeA!, 'b4:room')).toEqual(['1:from A', '2:from B', '3:end']);
    expect(pushesOf(nodeB!, 'b4:room')).toEqual(['1:from A', '2:from B', '3:end']);
    expect(pushesOf(nodeC!, 'b4:room')).toEqual([]);
  });

  it('keeps one channel in offset order when nodes publish concurrently', async () => {
    const nodes = await impl.nodes(3);
    await Promise.all(nodes.map((n) => n.broker.subscribe('b5:room')));
    const perNode = 50;
    await Promise.all(
      nodes.flatMap((n) =>
        Array.from({ length: perNode }, (_, i) => n.broker.publish('b5:room', 'e', i)),
      ),
    );
    const total = perNode * nodes.length;
    await until(() => nodes.every((n) => pushesOf(n, 'b5:room').length === total));
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    for (const node of nodes) {
      expect(pushesOf(node, 'b5:room').map((entry) => Number(entry.split(':')[0]))).toEqual(
        expected,
      );
    }
  });

  it('carries control messages to the other nodes, not back to the sender', async () => {
    const [nodeA, nodeB] = await impl.nodes(2);
    const controls = (node: typeof nodeA) => node!.received.filter((m) => m.type !== 'push');
    const message: ControlMessage = {
      type: 'disconnect',
      principalKey: 'alice',
      code: 4403,
      reason: 'x',
    };
    await nodeA!.broker.publishControl(message);
    await until(() => controls(nodeB).length === 1);
    expect(controls(nodeB)).toEqual([message]);
    // B's own message comes back to A, proving A's echo had time to arrive and was dropped.
    await nodeB!.broker.publishControl({ ...message, reason: 'y' });
    await until(() => controls(nodeA).length === 1);
    expect(controls(nodeA).map((m) => (m as { reason: string }).reason)).toEqual(['y']);
    expect(controls(nodeB)).toHaveLength(1);
  });
});
