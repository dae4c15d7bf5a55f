import { Redis } from 'ioredis';
import { RedisPresenceStore } from '../../../lib/index.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { waitFor } from '../../support/wait.js';
import { ChangeLog } from './presence-store.contract.js';

// A node's joins and leaves within one window reach Redis as one script per channel and every
// node as one change message, not one per member.
describe('RedisPresenceStore batches per window', () => {
  let server: RedisServer;
  let client: Redis;
  let listener: Redis;
  const messages: string[] = [];
  const stores: RedisPresenceStore[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis(server.url);
    listener = new Redis(server.url);
    listener.on('message', (_channel: string, message: string) => messages.push(message));
    await listener.subscribe('batch:changes');
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    messages.length = 0;
  });
  afterAll(async () => {
    client.disconnect();
    listener.disconnect();
    await server.stop();
  });

  // The change messages about `channel`, once every message published so far has arrived (a
  // marker published now arrives after them).
  async function published(channel: string): Promise<string[]> {
    const marker = `marker:${messages.length}:${Date.now()}`;
    await client.publish('batch:changes', marker);
    await waitFor(() => messages.includes(marker), 5_000, 'the marker');
    return messages.filter((m) => m.includes(channel));
  }

  function node(): RedisPresenceStore {
    const store = new RedisPresenceStore({ client, keyPrefix: 'batch', batchMs: 50 });
    stores.push(store);
    return store;
  }

  it('writes 200 joins of one window as one message that every node reads as 200 joins', async () => {
    const [a, b] = [node(), node()];
    const logB = new ChangeLog(b);
    const keys = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    await Promise.all(keys.map((key) => a.join('room:big', key, { key })));
    const joins = await logB.waitFor(200);
    expect(joins.map((c) => c.key).sort()).toEqual([...keys].sort());
    expect(joins.every((c) => c.type === 'join' && (c.info as { key: string }).key === c.key)).toBe(
      true,
    );
    expect(await published('room:big')).toHaveLength(1);
    expect(await b.members('room:big')).toHaveLength(200);
  });

  it('sends nothing for a key that joined and left within the window, and nets a second tab', async () => {
    const a = node();
    const log = new ChangeLog(a);
    await Promise.all([
      a.join('room:net', 'ghost', null),
      a.leave('room:net', 'ghost'),
      a.join('room:net', 'alice', null),
      a.join('room:net', 'alice', null),
    ]);
    expect(await a.members('room:net')).toEqual([{ key: 'alice', connections: 2, info: null }]);
    await log.waitFor(1);
    expect(log.changes).toEqual([{ channel: 'room:net', type: 'join', key: 'alice', info: null }]);
    expect(await published('room:net')).toHaveLength(1);
  });

  it('ignores a malformed message on the change channel and reads the next one', async () => {
    const a = node();
    const log = new ChangeLog(a);
    for (const junk of [
      'not json',
      '[1,2]',
      '["room:junk","diff","nope",{}]',
      '["room:junk","diff",[[7,"x"]],[]]',
    ])
      await client.publish('batch:changes', junk);
    await a.join('room:junk', 'alice', null);
    await log.waitFor(1);
    expect(await published('room:junk')).toHaveLength(3);
    expect(log.changes).toEqual([{ channel: 'room:junk', type: 'join', key: 'alice', info: null }]);
  });

  it("a read of a channel sees this node's changes still in their window", async () => {
    const a = new RedisPresenceStore({ client, keyPrefix: 'batch', batchMs: 60_000 });
    stores.push(a);
    void a.join('room:read', 'bob', { n: 1 });
    expect(await a.members('room:read')).toEqual([{ key: 'bob', connections: 1, info: { n: 1 } }]);
  });

  it('reports a whole node leaving (its shutdown) as one message', async () => {
    const [a, b] = [node(), node()];
    const logB = new ChangeLog(b);
    await Promise.all(['x', 'y', 'z'].map((key) => a.join('room:bye', key, null)));
    await logB.waitFor(3);
    stores.splice(stores.indexOf(a), 1);
    await a.close();
    const changes = await logB.waitFor(6);
    expect(
      changes
        .slice(3)
        .map((c) => `${c.type}:${c.key}`)
        .sort(),
    ).toEqual(['leave:x', 'leave:y', 'leave:z']);
    expect(await published('room:bye')).toHaveLength(2);
  });
});
