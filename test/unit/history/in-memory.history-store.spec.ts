import { InMemoryHistoryStore, type PushFrame } from '../../../lib/index.js';

describe('InMemoryHistoryStore', () => {
  const stores: InMemoryHistoryStore[] = [];
  const create = (options?: { size?: number; ttlMs?: number }) => {
    const store = new InMemoryHistoryStore(options);
    stores.push(store);
    return store;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function append(
    store: InMemoryHistoryStore,
    channel: string,
    count: number,
  ): Promise<PushFrame[]> {
    const pushes: PushFrame[] = [];
    for (let n = 1; n <= count; n++) pushes.push(await store.append(channel, 'n', { n }));
    return pushes;
  }

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it('numbers each channel’s pushes 1, 2, 3… under one epoch per channel', async () => {
    const store = create();
    const a = await append(store, 'a', 3);
    const b = await append(store, 'b', 2);
    expect(a.map((p) => p.offset)).toEqual([1, 2, 3]);
    expect(b.map((p) => p.offset)).toEqual([1, 2]);
    expect(new Set(a.map((p) => p.epoch)).size).toBe(1);
    expect(a[0]).toEqual({
      channel: 'a',
      event: 'n',
      data: { n: 1 },
      offset: 1,
      epoch: a[0]!.epoch,
    });
    expect(b[0]!.epoch).not.toBe(a[0]!.epoch);
  });

  it('reads the latest position, 0 before the first push, and nothing missed without since', async () => {
    const store = create();
    const empty = await store.read('quiet');
    expect(empty).toEqual({ position: { epoch: expect.any(String), offset: 0 } });
    const [first] = await append(store, 'quiet', 1);
    expect(first!.epoch).toBe(empty.position.epoch);
    expect(await store.read('quiet')).toEqual({ position: { epoch: first!.epoch, offset: 1 } });
  });

  it('returns what came after a position, oldest first', async () => {
    const store = create();
    const pushes = await append(store, 'c', 5);
    const epoch = pushes[0]!.epoch;
    expect((await store.read('c', { epoch, offset: 2 })).missed).toEqual(pushes.slice(2));
    expect((await store.read('c', { epoch, offset: 0 })).missed).toEqual(pushes);
    expect((await store.read('c', { epoch, offset: 5 })).missed).toEqual([]);
  });

  it('keeps the last `size` pushes and refuses, whole, a gap older than them', async () => {
    const store = create({ size: 3 });
    const pushes = await append(store, 'ring', 5);
    const epoch = pushes[0]!.epoch;
    expect((await store.read('ring', { epoch, offset: 2 })).missed).toEqual(pushes.slice(2));
    expect((await store.read('ring', { epoch, offset: 1 })).missed).toBeUndefined();
    expect((await store.read('ring', { epoch, offset: 0 })).missed).toBeUndefined();
  });

  it('refuses another epoch and a position ahead of the channel', async () => {
    const store = create();
    const [push] = await append(store, 'e', 2);
    expect((await store.read('e', { epoch: 'other', offset: 1 })).missed).toBeUndefined();
    expect((await store.read('e', { epoch: push!.epoch, offset: 3 })).missed).toBeUndefined();
  });

  it('drops pushes older than ttlMs: their gap can no longer be recovered', async () => {
    const store = create({ ttlMs: 50 });
    const [first] = await append(store, 'ttl', 2);
    await sleep(120);
    const read = await store.read('ttl', { epoch: first!.epoch, offset: 1 });
    expect(read).toEqual({ position: { epoch: first!.epoch, offset: 2 } });
    // Up to date is still up to date.
    expect((await store.read('ttl', { epoch: first!.epoch, offset: 2 })).missed).toEqual([]);
    const [next] = await append(store, 'ttl', 1);
    expect(next).toMatchObject({ offset: 3, epoch: first!.epoch });
  });

  it('forgets an idle channel after ttlMs: it comes back under a new epoch', async () => {
    const store = create({ ttlMs: 20 });
    const [old] = await append(store, 'idle', 1);
    await sleep(1_200); // the sweep runs every max(1 s, ttlMs)
    const read = await store.read('idle', { epoch: old!.epoch, offset: 1 });
    expect(read.missed).toBeUndefined();
    expect(read.position.offset).toBe(0);
    expect(read.position.epoch).not.toBe(old!.epoch);
  });

  it('gives a new store (a restart) new epochs, so old positions are never mistaken', async () => {
    const [before] = await append(create(), 'restart', 3);
    const after = create();
    await append(after, 'restart', 3);
    const read = await after.read('restart', { epoch: before!.epoch, offset: 1 });
    expect(read.missed).toBeUndefined();
    expect(read.position.epoch).not.toBe(before!.epoch);
  });
});
