import type { INestApplication } from '@nestjs/common';
import { ChannelsService } from '../../../lib/index.js';
import { openPeer, startPresenceApp, type Peer, type PeerFrame } from './presence-app.js';

const isPresence = (frame: PeerFrame) => frame.event === 'presence.diff';
const keysOf = (list: Array<{ key: string }>) => list.map((m) => m.key);
const joinOf = (key: string) => (frame: PeerFrame) =>
  isPresence(frame) && keysOf(frame.data.joins).includes(key);

describe.each(['websocket', 'sse'] as const)('presence over %s', (transport) => {
  let app: INestApplication;
  let urls: { ws: string; http: string };
  const peers: Peer[] = [];

  async function peer(user: string, channel = 'room:1'): Promise<Peer> {
    const opened = await openPeer(transport, urls, user, channel);
    peers.push(opened);
    return opened;
  }

  beforeAll(async () => {
    const started = await startPresenceApp();
    app = started.app;
    urls = started;
  });
  afterEach(() => peers.splice(0).forEach((p) => p.close()));
  afterAll(() => app.close());

  it('lists members, not connections; a second tab closing is no leave, the last one is', async () => {
    const bob = await peer('bob');
    await bob.next(joinOf('bob'));
    const aliceTab1 = await peer('alice');
    await bob.next(joinOf('alice'));
    const aliceTab2 = await peer('alice');

    const listed = await bob.request('presence', { channel: 'room:1' });
    expect(listed.data.channel).toBe('room:1');
    expect(sortByKey(listed.data.members)).toEqual([
      { key: 'alice', connections: 2, info: { userId: 'alice' } },
      { key: 'bob', connections: 1, info: { userId: 'bob' } },
    ]);

    aliceTab2.close();
    await eventually(async () => {
      const { data } = await bob.request('presence', { channel: 'room:1' });
      return data.members.find((m: PeerFrame) => m.key === 'alice')?.connections === 1;
    });
    // A newcomer's join is the next presence push Bob gets: Alice's second tab sent no join,
    // and its closing no leave.
    await peer('carol');
    const next = await bob.next(isPresence);
    expect(next).toEqual({
      channel: 'room:1',
      event: 'presence.diff',
      data: { joins: [{ key: 'carol', info: { userId: 'carol' } }], leaves: [] },
    });

    aliceTab1.close();
    const leave = await bob.next(isPresence);
    expect(leave).toMatchObject({
      channel: 'room:1',
      event: 'presence.diff',
      data: { joins: [], leaves: [{ key: 'alice', info: { userId: 'alice' } }] },
    });
    // Not history: no offset, no epoch, and over SSE no `id:` line (the cursor does not move).
    expect(leave.offset).toBeUndefined();
    expect(leave.epoch).toBeUndefined();
    expect(leave.sseId).toBeUndefined();
    const after = await bob.request('presence', { channel: 'room:1' });
    expect(sortByKey(after.data.members).map((m: PeerFrame) => m.key)).toEqual(['bob', 'carol']);
  });

  it('sends a leave when the last connection unsubscribes, and serves ChannelsService.presence', async () => {
    const dave = await peer('dave', 'room:2');
    await dave.next(joinOf('dave'));
    const erin = await peer('erin', 'room:2');
    await dave.next(joinOf('erin'));
    const service = await app.get(ChannelsService).presence('room:2');
    expect(sortByKey(service.members).map((m) => m.key)).toEqual(['dave', 'erin']);

    const answer = await erin.request('unsubscribe', { channel: 'room:2' });
    expect(answer.data).toEqual({ channel: 'room:2', unsubscribed: true });
    const leave = await dave.next(isPresence);
    expect(leave).toMatchObject({
      event: 'presence.diff',
      data: { joins: [], leaves: [{ key: 'erin', info: { userId: 'erin' } }] },
    });
  });

  it('gathers the joins and leaves of one window into one diff', async () => {
    // An app of its own with a window long enough to hold every change below.
    const wide = await startPresenceApp({ presence: { coalesceMs: 400 } });
    try {
      const open = async (user: string) => {
        const opened = await openPeer(transport, wide, user, 'room:3');
        peers.push(opened);
        return opened;
      };
      const ivan = await open('ivan');
      await ivan.next(joinOf('ivan'));
      const judy = await open('judy');
      await ivan.next(joinOf('judy'));
      // Three arrive while Judy leaves.
      const arrivals = Promise.all(['kim', 'leo', 'mia'].map(open));
      judy.close();
      await arrivals;
      const diffs: PeerFrame[] = [];
      const seen = () => diffs.flatMap((d) => [...keysOf(d.data.joins), ...keysOf(d.data.leaves)]);
      while (!['kim', 'leo', 'mia', 'judy'].every((key) => seen().includes(key)))
        diffs.push(await ivan.next(isPresence));
      expect(diffs.flatMap((d) => keysOf(d.data.joins)).sort()).toEqual(['kim', 'leo', 'mia']);
      expect(diffs.flatMap((d) => keysOf(d.data.leaves))).toEqual(['judy']);
      expect(diffs.length).toBeLessThanOrEqual(2); // four changes, one window (two at its edge)
      const { data } = await ivan.request('presence', { channel: 'room:3' });
      expect(keysOf(data.members).sort()).toEqual(['ivan', 'kim', 'leo', 'mia']);
    } finally {
      peers.splice(0).forEach((p) => p.close());
      await wide.app.close();
    }
  });

  it('answers BAD_REQUEST on a channel without presence, FORBIDDEN when not subscribed', async () => {
    const frank = await peer('frank', 'plain:1');
    const none = await frank.request('presence', { channel: 'plain:1' });
    expect(none.error).toMatchObject({ code: 'BAD_REQUEST' });
    const notSubscribed = await frank.request('presence', { channel: 'room:9' });
    expect(notSubscribed.error).toMatchObject({ code: 'FORBIDDEN' });
    const invalid = await frank.request('presence', { channel: 'no spaces' });
    expect(invalid.error).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('lists members of a presence channel without join/leave pushes', async () => {
    const gina = await peer('gina', 'quiet:1');
    const hank = await peer('hank', 'quiet:1');
    hank.close();
    await eventually(async () => {
      const { data } = await gina.request('presence', { channel: 'quiet:1' });
      return data.members.length === 1;
    });
    const { data } = await gina.request('presence', { channel: 'quiet:1' });
    expect(data.members).toEqual([{ key: 'gina', connections: 1, info: null }]);
    // The next push Gina gets is a published one: no presence push came before it.
    await app.get(ChannelsService).publish('quiet:1', 'note', { n: 1 });
    const push = await gina.next((f) => f.channel === 'quiet:1');
    expect(push).toMatchObject({ event: 'note', data: { n: 1 } });
  });
});

function sortByKey<T extends { key: string }>(members: T[]): T[] {
  return [...members].sort((a, b) => a.key.localeCompare(b.key));
}

// Polls a condition the server reaches after a close it learns of asynchronously.
async function eventually(check: () => Promise<boolean>, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not reached');
}
