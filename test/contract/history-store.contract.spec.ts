import { IMPLEMENTATIONS, type Implementation } from './implementations.js';

// One suite, run against every history store.
describe.each(IMPLEMENTATIONS.map((impl) => [impl.name, impl] as const))(
  'HistoryStore contract: %s',
  (_name, impl: Implementation) => {
    beforeAll(() => impl.setUp(), 90_000);
    afterAll(() => impl.tearDown());

    it('gives each push the next offset of its channel and the channel epoch', async () => {
      const [{ history }] = await impl.nodes(1);
      const first = await history.append('h1:a', 'e', { n: 1 });
      const second = await history.append('h1:a', 'e', { n: 2 });
      const other = await history.append('h1:b', 'e', null);
      expect([first.offset, second.offset, other.offset]).toEqual([1, 2, 1]);
      expect(second.epoch).toBe(first.epoch);
      expect(second).toEqual({
        channel: 'h1:a',
        event: 'e',
        data: { n: 2 },
        offset: 2,
        epoch: first.epoch,
      });
      const { position, missed } = await history.read('h1:a');
      expect(position).toEqual({ epoch: first.epoch, offset: 2 });
      expect(missed).toBeUndefined();
    });

    it('answers a channel never published to with offset 0 and a stable epoch', async () => {
      const [{ history }] = await impl.nodes(1);
      const one = await history.read('h2:new');
      const two = await history.read('h2:new');
      expect(one.position.offset).toBe(0);
      expect(two.position).toEqual(one.position);
      const push = await history.append('h2:new', 'e', 1);
      expect(push).toMatchObject({ offset: 1, epoch: one.position.epoch });
    });

    it('replays exactly what came after `since`, oldest first', async () => {
      const [{ history }] = await impl.nodes(1);
      const pushes = [];
      for (let i = 1; i <= 5; i++) pushes.push(await history.append('h3:a', 'e', i));
      const epoch = pushes[0]!.epoch;
      const { position, missed } = await history.read('h3:a', { epoch, offset: 2 });
      expect(position).toEqual({ epoch, offset: 5 });
      expect(missed).toEqual(pushes.slice(2));
      expect((await history.read('h3:a', { epoch, offset: 5 })).missed).toEqual([]);
    });

    it('refuses to replay from another epoch or from beyond the latest offset', async () => {
      const [{ history }] = await impl.nodes(1);
      const push = await history.append('h4:a', 'e', 1);
      expect((await history.read('h4:a', { epoch: 'other', offset: 0 })).missed).toBeUndefined();
      expect((await history.read('h4:a', { epoch: push.epoch, offset: 7 })).missed).toBeUndefined();
    });

    it('changes the epoch when the history was lost, so an old position is not replayed', async () => {
      const nodes = await impl.nodes(1);
      const before = await nodes[0]!.history.append('h5:a', 'e', 1);
      await nodes[0]!.history.append('h5:a', 'e', 2);
      await impl.loseHistory(nodes);
      const after = await nodes[0]!.history.read('h5:a', { epoch: before.epoch, offset: 1 });
      expect(after.position.epoch).not.toBe(before.epoch);
      expect(after.missed).toBeUndefined();
      const next = await nodes[0]!.history.append('h5:a', 'e', 3);
      expect(next).toMatchObject({ offset: 1, epoch: after.position.epoch });
    });
  },
);

// Several nodes on one backend read one history.
describe.each(
  IMPLEMENTATIONS.filter((impl) => impl.maxNodes >= 2).map((impl) => [impl.name, impl] as const),
)('HistoryStore contract across nodes: %s', (_name, impl: Implementation) => {
  beforeAll(() => impl.setUp(), 90_000);
  afterAll(() => impl.tearDown());

  it('gives the same offsets and epoch whichever node appends or reads', async () => {
    const [a, b] = await impl.nodes(2);
    const first = await a!.history.append('h6:a', 'e', 'from a');
    const second = await b!.history.append('h6:a', 'e', 'from b');
    expect(second).toMatchObject({ offset: 2, epoch: first.epoch });
    const read = await b!.history.read('h6:a', { epoch: first.epoch, offset: 0 });
    expect(read.missed?.map((p) => p.data)).toEqual(['from a', 'from b']);
    expect((await a!.history.read('h6:a')).position).toEqual({ epoch: first.epoch, offset: 2 });
  });

  it('assigns offsets 1..N without a gap or a repeat under concurrent appends', async () => {
    const nodes = await impl.nodes(3);
    const pushes = await Promise.all(
      nodes.flatMap((n) => Array.from({ length: 30 }, (_, i) => n.history.append('h7:a', 'e', i))),
    );
    const offsets = pushes.map((p) => p.offset).sort((x, y) => x - y);
    expect(offsets).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
  });
});
