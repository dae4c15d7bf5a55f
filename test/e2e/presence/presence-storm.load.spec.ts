import { startChildApp, type ChildApp } from '../../support/child-app.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { AUTH } from '../../support/token.guard.js';
import { sleep, waitFor, withConcurrency } from '../../support/wait.js';
import { WebSocket } from 'ws';
import { TestClient, type Frame } from '../../support/ws-client.js';

const SUBSCRIBERS = 1_000;
// Waves 50 ms apart: 18 of them span 850 ms.
const WAVES = 18;
// The storm's own members: the sentinels below join after it.
const isStormKey = (key: string) => key.startsWith('user-');
const keysOf = (list: Array<{ key: string }>) => list.map((m) => m.key);
const SENTINELS = ['zed-0', 'zed-1'];

/**
 * A storm subscriber, as lean as a browser tab: a raw socket that keeps what it receives as
 * text and parses it only when the test reads it, so that this process, which sends the
 * storm, is not busy parsing while it should be sending.
 */
class StormSubscriber {
  private readonly texts: string[] = [];
  private readonly parsed: Frame[] = [];
  answers = 0;
  errors: string[] = [];
  /** The sentinels it heard of (in presence frames). */
  readonly heard = new Set<string>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('{"id":')) {
        this.answers++;
        if (text.includes('"error":')) this.errors.push(text);
      } else if (text.includes('"event":"presence.')) {
        this.texts.push(text);
        for (const name of SENTINELS) if (text.includes(`"${name}"`)) this.heard.add(name);
      }
    });
  }

  static open(url: string, user: string): Promise<StormSubscriber> {
    const socket = new WebSocket(url, ['channels.v1'], { headers: AUTH(user) });
    const subscriber = new StormSubscriber(socket);
    return new Promise((resolve, reject) => {
      socket.once('message', () => resolve(subscriber)); // the welcome
      socket.once('error', reject);
    });
  }

  subscribe(channel: string): void {
    this.socket.send(
      JSON.stringify({ id: this.answers + 1, event: 'subscribe', data: { channel } }),
    );
  }

  /** The presence frames it received on `channel` (each text is parsed once). */
  diffs(channel: string): Frame[] {
    for (const text of this.texts.splice(0)) this.parsed.push(JSON.parse(text) as Frame);
    return this.parsed.filter((f) => f.channel === channel);
  }
}

// A deploy's reconnect storm on a presence channel: 1,000 subscribers (half on each of two
// nodes sharing a real redis-server) join within one second. Presence changes leave as one
// `presence.diff` per window (default 50 ms), so each subscriber gets at most 20 presence
// frames, not one per member; and every node lists every member. Timing decides the frame
// count (how many windows the joins span), hence a load spec. The nodes run the built module
// (`npm run build`, which `npm test` runs first).
describe('a presence storm: 1,000 joins within a second on two nodes through Redis', () => {
  let redis: RedisServer;
  let nodes: ChildApp[];
  const clients: TestClient[] = [];
  const closers: Array<() => void> = [];
  // Each node's CPU time so far, in microseconds.
  const cpuUs = () =>
    Promise.all(
      nodes.map(async (node) => {
        const answer = await fetch(`http://127.0.0.1:${node.info.port}/cpu`);
        return ((await answer.json()) as { us: number }).us;
      }),
    ).then((all) => all.reduce((a, b) => a + b, 0));

  beforeAll(async () => {
    redis = await startRedisServer();
    // Two nodes of the built module, each in its own process, with the default presence window.
    const node = () =>
      startChildApp(['test/fixtures/presence-node/storm-node.mjs', redis.url], '.');
    nodes = await Promise.all([node(), node()]);
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.close();
    for (const close of closers) close();
    await Promise.all((nodes ?? []).map((node) => node.stop()));
    await redis?.stop();
  });

  it('sends each subscriber at most 20 presence frames, and every node lists every member', async () => {
    const url = (node: number) => `ws://127.0.0.1:${nodes[node]!.info.port}/channels`;
    const storm = await withConcurrency(SUBSCRIBERS, 50, (i) =>
      StormSubscriber.open(url(i % 2), `user-${i}`),
    );
    closers.push(...storm.map((s) => () => s.socket.terminate()));
    const open = (user: string, node: number) =>
      TestClient.connect(url(node), { headers: AUTH(user) }).then(
        ({ client }) => (clients.push(client), client),
      );
    const sentinels = [await open(SENTINELS[0]!, 0), await open(SENTINELS[1]!, 1)];

    // The joins arrive as after a deploy: a wave every 50 ms, all sent within a second. When
    // this process was starved meanwhile (a busy machine) they were not: that storm is no
    // verdict, and another one is sent, on a channel of its own.
    let attempt = 0;
    let channel: string;
    let sentWithinMs: number;
    let cpuBefore: number;
    do {
      channel = `room:storm-${++attempt}`;
      cpuBefore = await cpuUs();
      const started = performance.now();
      for (let wave = 0; wave < WAVES; wave++) {
        await sleep(started + wave * 50 - performance.now());
        for (let i = wave; i < SUBSCRIBERS; i += WAVES) storm[i]!.subscribe(channel);
      }
      sentWithinMs = performance.now() - started;
      await waitFor(() => storm.every((s) => s.answers === attempt), 20_000, 'the replies');
      expect(storm.flatMap((s) => s.errors)).toEqual([]);
      if (sentWithinMs >= 1_000) console.log(`storm ${attempt} took ${sentWithinMs} ms to send`);
    } while (sentWithinMs >= 1_000 && attempt < 3);
    expect(sentWithinMs).toBeLessThan(1_000);

    // A sentinel per node, joined after the storm: each node publishes its changes in order,
    // so a subscriber that saw both has seen every change of the storm.
    for (const subscriber of storm) subscriber.heard.clear();
    for (const sentinel of sentinels) await sentinel.request('subscribe', { channel });
    await waitFor(
      () => storm.every((s) => s.heard.size === SENTINELS.length),
      20_000,
      'every subscriber to hear of both sentinels',
    );
    const cpuSpentUs = (await cpuUs()) - cpuBefore;
    const diffsOf = (subscriber: StormSubscriber) =>
      subscriber.diffs(channel).filter((f) => f.event === 'presence.diff');
    const joinsSeenBy = (subscriber: StormSubscriber) =>
      diffsOf(subscriber).flatMap((f: Frame) => keysOf(f.data.joins));

    // Frames that carried the storm's changes, per subscriber.
    const stormFrames = storm.map(
      (client) =>
        diffsOf(client).filter((f: Frame) => keysOf(f.data.joins).some(isStormKey)).length,
    );
    const most = Math.max(...stormFrames);
    const total = stormFrames.reduce((a, b) => a + b, 0);
    console.log(
      `presence storm: ${SUBSCRIBERS} joins sent in ${Math.round(sentWithinMs)} ms; presence ` +
        `frames per subscriber max ${most}, total ${total}; server CPU (both nodes, the ` +
        `subscribes included) ${Math.round(cpuSpentUs / 1000)} ms`,
    );
    expect(most).toBeLessThanOrEqual(20);

    // No subscriber heard of a member twice or of a leave; together they heard of everyone.
    const heard = new Set<string>();
    for (const client of storm) {
      const seen = joinsSeenBy(client);
      expect(new Set(seen).size).toBe(seen.length);
      expect(diffsOf(client).flatMap((f: Frame) => f.data.leaves)).toEqual([]);
      for (const key of seen) heard.add(key);
    }
    expect(heard.size).toBe(SUBSCRIBERS + 2);

    // The members list is right on every node: every key once, one connection each.
    for (const asker of sentinels) {
      const { data } = await asker.request('presence', { channel });
      const members = data.members as Array<{ key: string; connections: number }>;
      expect(members).toHaveLength(SUBSCRIBERS + 2);
      expect(new Set(keysOf(members)).size).toBe(SUBSCRIBERS + 2);
      expect(members.every((m) => m.connections === 1)).toBe(true);
    }

    // Where presence meets close: half the storm (every client of node 1) closes at once. The
    // other half hears each of them leave once, in a few diffs, and both nodes list the rest.
    const leaving = storm.filter((_, i) => i % 2 === 1);
    const staying = storm.filter((_, i) => i % 2 === 0);
    const gone = new Set(leaving.map((_, k) => `user-${2 * k + 1}`));
    const before = staying.map((client) => diffsOf(client).length);
    for (const client of leaving) client.socket.close();
    const leavesSeenBy = (client: StormSubscriber) =>
      diffsOf(client).flatMap((f: Frame) => keysOf(f.data.leaves));
    await waitFor(
      () => staying.every((client) => leavesSeenBy(client).length >= gone.size),
      20_000,
      'every staying subscriber to hear of every leave',
    );
    for (const [k, client] of staying.entries()) {
      const left = leavesSeenBy(client);
      expect(left.length).toBe(gone.size);
      expect(new Set(left)).toEqual(gone);
      expect(diffsOf(client).length - before[k]!).toBeLessThanOrEqual(20);
    }
    for (const asker of sentinels) {
      const { data } = await asker.request('presence', { channel });
      const keys = keysOf(data.members);
      expect(keys).toHaveLength(SUBSCRIBERS / 2 + 2);
      expect(keys.some((key) => gone.has(key))).toBe(false);
    }
  }, 180_000);
});
