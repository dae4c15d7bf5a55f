import type { PresenceChange, PresenceStore } from '../../../lib/index.js';

/**
 * One implementation under test: how to make stores that share their membership (one per
 * node), and how to tear them down. `nodes` > 1 is asked only when `multiNode` is true.
 */
export interface PresenceStoreSubject {
  name: string;
  /** Whether stores made by one `create` call share membership like nodes of one cluster. */
  multiNode: boolean;
  create(nodes: number): Promise<PresenceStore[]>;
  /** Releases what `create` made (after `close()` was called on the stores that remain open). */
  dispose?(): Promise<void>;
}

/** Records a store's changes and waits for them. */
export class ChangeLog {
  readonly changes: PresenceChange[] = [];
  private waiters: Array<() => void> = [];

  constructor(store: PresenceStore) {
    store.onChange((change) => {
      this.changes.push(change);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves once `count` changes have been recorded (they may already be). */
  async waitFor(count: number, timeoutMs = 5000): Promise<PresenceChange[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.changes.length < count) {
      if (Date.now() > deadline)
        throw new Error(`waited for ${count} changes, got ${this.changes.length}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.changes.slice(0, count);
  }
}

/**
 * The semantics every {@link PresenceStore} keeps (its TSDoc): run it with one subject per
 * implementation, like socket.io-redis-adapter runs one suite against every adapter.
 */
export function presenceStoreContract(subject: PresenceStoreSubject): void {
  describe(`PresenceStore contract: ${subject.name}`, () => {
    let stores: PresenceStore[] = [];

    async function make(nodes = 1): Promise<PresenceStore[]> {
      stores = await subject.create(nodes);
      return stores;
    }

    afterEach(async () => {
      await Promise.all(stores.map((store) => store.close()));
      await subject.dispose?.();
    });

    it('counts connections per key and reports a join only for the first', async () => {
      const [store] = await make();
      const log = new ChangeLog(store!);
      await store!.join('room:a', 'alice', { name: 'Alice' });
      await store!.join('room:a', 'alice', { name: 'Alice' });
      await store!.join('room:a', 'bob', null);
      expect(await log.waitFor(2)).toEqual([
        { channel: 'room:a', type: 'join', key: 'alice', info: { name: 'Alice' } },
        { channel: 'room:a', type: 'join', key: 'bob', info: null },
      ]);
      const members = (await store!.members('room:a')).sort((a, b) => a.key.localeCompare(b.key));
      expect(members).toEqual([
        { key: 'alice', connections: 2, info: { name: 'Alice' } },
        { key: 'bob', connections: 1, info: null },
      ]);
    });

    it('reports a leave only when the last connection of a key leaves', async () => {
      const [store] = await make();
      const log = new ChangeLog(store!);
      await store!.join('room:a', 'alice', { n: 1 });
      await store!.join('room:a', 'alice', { n: 1 });
      await store!.leave('room:a', 'alice');
      expect(await store!.members('room:a')).toEqual([
        { key: 'alice', connections: 1, info: { n: 1 } },
      ]);
      await store!.leave('room:a', 'alice');
      expect(await log.waitFor(2)).toEqual([
        { channel: 'room:a', type: 'join', key: 'alice', info: { n: 1 } },
        { channel: 'room:a', type: 'leave', key: 'alice', info: { n: 1 } },
      ]);
      expect(await store!.members('room:a')).toEqual([]);
    });

    it('ignores a leave of a key it does not hold', async () => {
      const [store] = await make();
      const log = new ChangeLog(store!);
      await store!.leave('room:a', 'ghost');
      await store!.join('room:a', 'alice', null);
      expect(await log.waitFor(1)).toEqual([
        { channel: 'room:a', type: 'join', key: 'alice', info: null },
      ]);
      expect(log.changes).toHaveLength(1);
    });

    it('keeps channels apart', async () => {
      const [store] = await make();
      await store!.join('room:a', 'alice', null);
      await store!.join('room:b', 'bob', null);
      expect((await store!.members('room:a')).map((m) => m.key)).toEqual(['alice']);
      expect((await store!.members('room:b')).map((m) => m.key)).toEqual(['bob']);
      expect(await store!.members('room:c')).toEqual([]);
    });

    it('removes its members on close, reporting their leaves', async () => {
      const [store] = await make();
      const log = new ChangeLog(store!);
      await store!.join('room:a', 'alice', null);
      await store!.join('room:a', 'alice', null);
      await store!.close();
      expect(await log.waitFor(2)).toEqual([
        { channel: 'room:a', type: 'join', key: 'alice', info: null },
        { channel: 'room:a', type: 'leave', key: 'alice', info: null },
      ]);
    });

    if (subject.multiNode) {
      it('sums a key over nodes: one join, and the leave when its last node lets go', async () => {
        const [a, b] = await make(2);
        const logA = new ChangeLog(a!);
        const logB = new ChangeLog(b!);
        await a!.join('room:a', 'alice', null);
        await b!.join('room:a', 'alice', null);
        expect(await b!.members('room:a')).toEqual([{ key: 'alice', connections: 2, info: null }]);
        await a!.leave('room:a', 'alice');
        await b!.leave('room:a', 'alice');
        for (const log of [logA, logB]) {
          expect((await log.waitFor(2)).map((c) => c.type)).toEqual(['join', 'leave']);
        }
      });
    }
  });
}
