import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { sleep, withConcurrency } from '../../support/wait.js';
import { startChannels, type ChannelsApp } from './channels-app.js';
import { OpenGateway } from './gateways.js';

const SUBSCRIBERS = 50;
const RATE_PER_S = 20;
const PHASE_MS = 3_000;
// Below this a p99 is timer noise on a shared machine, not a cost: ratios are taken from it.
const NOISE_FLOOR_MS = 10;

// The probe's frame: a markRead-like command (the `order` DTO) with 5,000 unknown keys, ~49 KB.
// Built once: the attacker shares this process, and its own work must not be what is measured.
const UNKNOWN_KEYS = Array.from({ length: 5_000 }, (_, i) => `"p${i}":1`).join(',');
function expensiveFrame(id: number): string {
  return `{"id":${id},"event":"order","data":{"address":{"city":"Oslo"},"items":[],${UNKNOWN_KEYS}}}`;
}

// The second probe's frame: within every bound (7 arrays of 4,000 numbers, ~56 KB, 9 keys), with
// one "__proto__" key. A JSON.parse reviver took ~6.5 ms on it, against ~0.25 ms without one.
const ZEROS = `[${Array(4_000).fill('0').join(',')}]`;
const PROTO_FRAME = `{"id":1,"event":"nope","data":{${Array.from({ length: 7 }, (_, i) => `"a${i}":${ZEROS}`).join(',')},"__proto__":{"admin":true}}}`;
const PROTO_BODY = Buffer.from(PROTO_FRAME);

function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

describe('security: the expensive-frame attack', () => {
  let channels: ChannelsApp;
  const latencies: number[] = [];

  beforeAll(async () => {
    channels = await startChannels(
      { limits: { maxConnectionsPerIp: 1_000 }, rateLimits: { connection: false } },
      [OpenGateway],
    );
    await withConcurrency(SUBSCRIBERS, 10, async () => {
      const { client } = await channels.connect();
      await client.request('subscribe', { channel: 'room:a' });
      client.socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { channel?: string; data?: { t: number } };
        if (frame.channel === 'room:a') latencies.push(performance.now() - frame.data!.t);
      });
    });
  });
  afterAll(async () => {
    channels.closeClients();
    await channels.app.close();
  });

  /** Pushes to every subscriber at RATE_PER_S for PHASE_MS; the p99 of their latencies. */
  async function pushPhase(attack?: { during: () => void; perSecond: number }): Promise<number> {
    latencies.length = 0;
    const pushes = setInterval(
      () => void channels.service.publish('room:a', 'tick', { t: performance.now() }),
      1_000 / RATE_PER_S,
    );
    const attacking = attack ? setInterval(attack.during, 1_000 / attack.perSecond) : undefined;
    await sleep(PHASE_MS);
    clearInterval(pushes);
    clearInterval(attacking);
    await sleep(300);
    expect(latencies.length).toBeGreaterThan(SUBSCRIBERS * RATE_PER_S);
    return p99(latencies);
  }

  /**
   * Whether the subscribers' p99 stayed within 3x of their baseline during the attack. The
   * machine is shared, so one noisy phase is not a verdict: up to three attack phases, each
   * judged against the worse of the phase before it and the one after. An attack that stalls
   * the event loop (p99 from ~16 ms to seconds) fails all three; noise does not.
   */
  async function withinThreeTimes(
    name: string,
    attack: { during: () => void; perSecond: number },
  ): Promise<boolean> {
    const measured: Array<{ baselineP99Ms: number; underAttackP99Ms: number }> = [];
    let before = await pushPhase();
    for (let attempt = 0; attempt < 3; attempt++) {
      const underAttack = await pushPhase(attack);
      await sleep(200);
      const after = await pushPhase();
      measured.push({ baselineP99Ms: Math.max(before, after), underAttackP99Ms: underAttack });
      if (underAttack <= 3 * Math.max(before, after, NOISE_FLOOR_MS)) break;
      before = after;
    }
    console.log(JSON.stringify({ attack: name, measured }));
    return measured.some(
      (m) => m.underAttackP99Ms <= 3 * Math.max(m.baselineP99Ms, NOISE_FLOOR_MS),
    );
  }

  it('keeps subscribers within 3x of their baseline p99 while the attacker is refused before validation', async () => {
    const { client: attacker } = await channels.connect();
    const answers: Array<{ size: number; request: number; frame: Record<string, any> }> = [];
    attacker.socket.on('message', (data) => {
      const text = data.toString();
      const frame = JSON.parse(text);
      answers.push({ size: text.length, request: expensiveFrame(frame.id).length, frame });
    });
    let id = 0;
    const during = () => attacker.socket.send(expensiveFrame(++id));
    expect(await withinThreeTimes('5,000 keys', { during, perSecond: RATE_PER_S })).toBe(true);
    // Every expensive frame was answered, refused by the structure bounds (no validation ran),
    // with a reply far smaller than the frame; none reached a handler.
    expect(answers.length).toBeGreaterThan(0);
    for (const { size, request, frame } of answers) {
      const refused = frame.error?.code === 'BAD_REQUEST' || frame.error?.code === 'RATE_LIMITED';
      expect(refused).toBe(true);
      if (frame.error.code === 'BAD_REQUEST')
        expect(frame.error.message).toBe('An object has more than 256 keys.');
      expect(size).toBeLessThanOrEqual(4 * request);
    }
    expect(answers.filter((a) => a.frame.error.code === 'BAD_REQUEST').length).toBeGreaterThan(0);
  }, 90_000);

  it('keeps them there while two connections send a frame within every bound, with one "__proto__" key, at 92/s each (under the 100/s limit)', async () => {
    // Two: on this machine one such connection took a reviver's parse to ~2.8x the baseline p99,
    // two to seconds; without the reviver both cost about what a frame without the key does.
    const attackers = [(await channels.connect()).client, (await channels.connect()).client];
    const codes = new Map<string, number>();
    for (const attacker of attackers) {
      attacker.socket.on('message', (data) => {
        const code = (JSON.parse(data.toString()) as { error?: { code: string } }).error?.code;
        codes.set(String(code), (codes.get(String(code)) ?? 0) + 1);
      });
    }
    const during = () => attackers.forEach((attacker) => attacker.socket.send(PROTO_FRAME));
    expect(await withinThreeTimes('__proto__ over WebSocket', { during, perSecond: 92 })).toBe(
      true,
    );
    // Parsed, every one (the event has no handler), and neither attacker cut off.
    console.log(JSON.stringify({ answers: Object.fromEntries(codes) }));
    expect(codes.get('UNKNOWN_EVENT')).toBeGreaterThan(0);
    for (const attacker of attackers) expect(attacker.socket.readyState).toBe(attacker.socket.OPEN);
  }, 90_000);

  it('keeps them there while the same frame is POSTed at 80/s, and at 150/s over the limit', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const statuses = new Map<number, number>();
    const post = () => {
      const req = request(`${channels.http}/channels/messages`, {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': PROTO_BODY.length },
      });
      req.on('response', (res) => {
        statuses.set(res.statusCode!, (statuses.get(res.statusCode!) ?? 0) + 1);
        res.resume();
      });
      req.on('error', () => undefined);
      req.end(PROTO_BODY);
    };
    try {
      // Within the budget of the principal's POSTs (100/s): every one parsed, 404 UNKNOWN_EVENT.
      expect(await withinThreeTimes('__proto__ POSTed', { during: post, perSecond: 80 })).toBe(
        true,
      );
      expect(statuses.get(404)).toBeGreaterThan(0);
      // One in three over the budget: refused (429) after the bounds scan, before any parse.
      statuses.clear();
      expect(
        await withinThreeTimes('__proto__ POSTed over the limit', { during: post, perSecond: 150 }),
      ).toBe(true);
      console.log(JSON.stringify({ statuses: Object.fromEntries(statuses) }));
      expect(statuses.get(429)).toBeGreaterThan(statuses.get(404) ?? 0);
    } finally {
      agent.destroy();
    }
  }, 180_000);
});

describe('security: a frame refused by the rate limit is not parsed', () => {
  let channels: ChannelsApp;
  let parsedAttacks = 0;
  const parse = JSON.parse;

  beforeAll(async () => {
    channels = await startChannels(
      { rateLimits: { message: { points: 10, durationMs: 60_000, abuseThreshold: 1_000 } } },
      [OpenGateway],
    );
    // Counts the parses of the attack frame (the frame arrives as text on both transports).
    JSON.parse = ((text: string, reviver?: Parameters<typeof parse>[1]) => {
      if (text === PROTO_FRAME) parsedAttacks++;
      return parse(text, reviver);
    }) as typeof JSON.parse;
  });
  afterAll(async () => {
    JSON.parse = parse;
    channels.closeClients();
    await channels.app.close();
  });

  it('costs a scan on WebSocket: of 30 frames over a budget of 10, 10 are parsed', async () => {
    parsedAttacks = 0;
    const { client } = await channels.connect();
    const codes: string[] = [];
    client.socket.on('message', (data) => {
      codes.push((parse(data.toString()) as { error: { code: string } }).error.code);
    });
    for (let n = 0; n < 30; n++) client.socket.send(PROTO_FRAME);
    const deadline = Date.now() + 10_000;
    while (codes.length < 30 && Date.now() < deadline) await sleep(10);
    expect(codes.filter((c) => c === 'UNKNOWN_EVENT')).toHaveLength(10);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(20);
    expect(parsedAttacks).toBe(10);
  });

  it('costs a scan on POST: of 30 over a budget of 10, 10 are parsed', async () => {
    parsedAttacks = 0;
    const statuses: number[] = [];
    for (let n = 0; n < 30; n++) {
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const req = request(`${channels.http}/channels/messages`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
          });
          req.on('response', (res) => (res.resume(), resolve(res.statusCode!)));
          req.on('error', reject);
          req.end(PROTO_BODY);
        }),
      );
    }
    expect(statuses.filter((s) => s === 404)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect(parsedAttacks).toBe(10);
  });
});
