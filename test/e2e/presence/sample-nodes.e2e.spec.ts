import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { startSampleProcess, type SampleProcess } from '../../support/sample-process.js';
import { TestClient, type Frame } from '../../support/ws-client.js';
import { SampleApi } from '../browser/support/sample-api.js';

// A presence.diff that has `key` among its joins (leaves).
const inDiff = (list: 'joins' | 'leaves', key: string) => (f: Frame) =>
  f.event === 'presence.diff' && (f.data[list] as Frame[]).some((m) => m.key === key);
const joinOf = (key: string) => inDiff('joins', key);
const leaveOf = (key: string) => inDiff('leaves', key);

// Two built sample nodes sharing one redis-server (REDIS_URL): presence of `broadcast` is the
// same from either node, and a node killed with SIGKILL has its members leave within the
// (shortened) presence TTL. Needs `npm run build`.
const SECRET = 'presence-nodes-secret';
const TTL_MS = 2_000;

describe('presence on two sample nodes with Redis', () => {
  let redis: RedisServer;
  const nodes: SampleProcess[] = [];
  const clients: TestClient[] = [];

  const startNode = async (ttlMs = TTL_MS) => {
    const node = await startSampleProcess({
      PORT: '0',
      SAMPLE_TOKEN_SECRET: SECRET,
      REDIS_URL: redis.url,
      CHANNELS_PRESENCE_TTL_MS: String(ttlMs),
    });
    nodes.push(node);
    return node;
  };

  // A user's connection to a node, subscribed to `broadcast`.
  const join = async (node: SampleProcess, user: string) => {
    const token = await new SampleApi(node.url).login(user);
    const url = node.url.replace(/^http/, 'ws').replace(/\/?$/, '/channels');
    const { client } = await TestClient.connect(url, {
      headers: { Authorization: `Bearer ${token}`, Origin: new URL(node.url).origin },
    });
    clients.push(client);
    const reply = await client.request('subscribe', { channel: 'broadcast' });
    expect(reply.data).toMatchObject({ channel: 'broadcast' });
    return client;
  };

  const membersSeenBy = async (client: TestClient) => {
    const { data } = await client.request('presence', { channel: 'broadcast' });
    return (data.members as Frame[])
      .map((m) => `${m.key}:${m.connections}`)
      .sort()
      .join(' ');
  };

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
  });

  it("lists members of both nodes from either, and drops a killed node's members within the TTL", async () => {
    const [a, b] = [await startNode(), await startNode()];
    const alice = await join(a, 'alice');
    await join(b, 'bob');
    const carolOnB = await join(b, 'carol');
    // A join on node B reaches a subscriber on node A.
    await alice.next(joinOf('carol'));
    const bobFromA = await membersSeenBy(alice);
    expect(bobFromA).toBe('alice:1 bob:1 carol:1');
    expect(await membersSeenBy(carolOnB)).toBe(bobFromA);

    // Carol opens a connection on A too (her B connection is about to die with its node).
    const carolOnA = await join(a, 'carol');
    expect(await membersSeenBy(carolOnA)).toBe('alice:1 bob:1 carol:2');

    nodes[1]!.child.kill('SIGKILL');
    const leave = await alice.next(leaveOf('bob'), TTL_MS * 4);
    expect(leave).toEqual({
      channel: 'broadcast',
      event: 'presence.diff',
      data: { joins: [], leaves: [{ key: 'bob', info: { userId: 'bob' } }] },
    });
    expect(await membersSeenBy(alice)).toBe('alice:1 carol:1');
    // Carol, reconnected to A, was never reported gone.
    expect(alice.frames.filter(leaveOf('carol'))).toEqual([]);
  });

  it('removes the members of a node that shuts down gracefully at once, not after its TTL', async () => {
    // A TTL far beyond the wait below: only the shutdown itself can remove Dave in time.
    const [a, c] = [await startNode(600_000), await startNode(600_000)];
    const erin = await join(a, 'erin');
    await join(c, 'dave');
    await erin.next(joinOf('dave'));

    await c.stop(); // SIGTERM
    const leave = await erin.next(leaveOf('dave'), 5_000);
    expect(leave.data).toEqual({ joins: [], leaves: [{ key: 'dave', info: { userId: 'dave' } }] });
    // (The first test's nodes and members are still up on the same Redis.)
    const members = await membersSeenBy(erin);
    expect(members).toContain('erin:1');
    expect(members).not.toContain('dave');
  });
});
