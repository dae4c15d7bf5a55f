import type { INestApplication } from '@nestjs/common';
import {
  ChannelsModule,
  InMemoryPresenceStore,
  PresenceStore,
  RedisPresenceStore,
} from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { openPeer, startPresenceApp, type Peer } from './presence-app.js';

// The `stores.redis` option alone makes presence cross-node: no `stores.presence` is given.
describe('ChannelsModule stores.redis option: presence across nodes', () => {
  let redis: RedisServer;
  let nodes: Array<{ app: INestApplication; ws: string; http: string }>;
  const peers: Peer[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const node = () =>
      startPresenceApp({
        stores: { redis: { url: redis.url } },
        presence: { coalesceMs: 10, ttlMs: 5_000 },
      });
    nodes = [await node(), await node()];
  });
  afterAll(async () => {
    for (const peer of peers) peer.close();
    for (const node of nodes ?? []) await node.app.close();
    await redis?.stop();
  });

  it('uses a RedisPresenceStore unless stores.presence is given', async () => {
    expect(nodes[0]!.app.get(PresenceStore)).toBeInstanceOf(RedisPresenceStore);
    const own = new InMemoryPresenceStore();
    const { app } = await startApp({
      imports: [ChannelsModule.forRoot({ stores: { redis: { url: redis.url }, presence: own } })],
    });
    try {
      expect(app.get(PresenceStore)).toBe(own);
    } finally {
      await app.close();
    }
  });

  it('lists the members of both nodes from either, and tells a node of joins on the other', async () => {
    const alice = await openPeer('websocket', nodes[0]!, 'alice', 'room:1');
    peers.push(alice);
    const bob = await openPeer('sse', nodes[1]!, 'bob', 'room:1');
    peers.push(bob);
    // Bob joined on the other node: Alice hears of it through Redis.
    const joined = await alice.next(
      (f) =>
        f.event === 'presence.diff' && f.data.joins.some((m: { key: string }) => m.key === 'bob'),
    );
    // One diff per window: Alice's own join may share Bob's window.
    expect(joined.data.joins).toContainEqual({ key: 'bob', info: { userId: 'bob' } });
    expect(joined.data.leaves).toEqual([]);
    for (const peer of [alice, bob]) {
      const { data } = await peer.request('presence', { channel: 'room:1' });
      expect(data.members.map((m: { key: string }) => m.key).sort()).toEqual(['alice', 'bob']);
    }
  });
});
