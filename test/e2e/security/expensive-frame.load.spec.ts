import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { paced, p99 } from '../../support/latency.js';
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

/** An attack run during the measured phases. */
interface Attack {
  start(): void;
  stop(): void;
}

/** An attack from this process: `send` at `perSecond`. */
function every(perSecond: number, send: () => void): Attack {
  let timer: NodeJS.Timeout | undefined;
  return {
    start: () => (timer = setInterval(send, 1_000 / perSecond)),
    stop: () => clearInterval(timer),
  };
}

// The POSTing client runs in a process of its own (the attacker is another machine): its own
// HTTP work, about as large as the server's for a 56 KB body, is then not on the event loop
// that is measured. It counts the statuses it got and prints them when told to stop.
const POSTER = `
const http = require('node:http');
const body = Buffer.from(process.env.FRAME);
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const statuses = {};
setInterval(() => {
  const req = http.request(process.env.URL, {
    method: 'POST', agent,
    headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
  });
  req.on('response', (res) => { statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1; res.resume(); });
  req.on('error', () => {});
  req.end(body);
}, 1000 / Number(process.env.RATE));
process.on('SIGTERM', () => { process.stdout.write(JSON.stringify(statuses)); process.exit(0); });
`;

/** POSTs {@link PROTO_FRAME} to `url` at `perSecond` from a child process, while started. */
function postFrom(
  url: string,
  perSecond: number,
): Attack & { statuses(): Promise<Record<string, number>> } {
  const runs: Array<Promise<Record<string, number>>> = [];
  let child: ChildProcess | undefined;
  return {
    start() {
      child = spawn(process.execPath, ['-e', POSTER], {
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          FRAME: PROTO_FRAME,
          URL: url,
          RATE: String(perSecond),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const output: Buffer[] = [];
      child.stdout!.on('data', (chunk: Buffer) => output.push(chunk));
      runs.push(
        new Promise((resolve) =>
          child!.once('close', () => resolve(JSON.parse(Buffer.concat(output).toString() || '{}'))),
        ),
      );
    },
    stop: () => void child?.kill('SIGTERM'),
    async statuses() {
      const all: Record<string, number> = {};
      for (const run of await Promise.all(runs))
        for (const [status, n] of Object.entries(run)) all[status] = (all[status] ?? 0) + n;
      return all;
    },
  };
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

  /**
   * Pushes to every subscriber at RATE_PER_S for PHASE_MS; the p99 of their latencies, each
   * from the time its push was due: an event loop kept busy by an attacker delays the publish
   * itself (as it would a service's own request), and the subscribers wait for that too.
   */
  async function pushPhase(attack?: Attack): Promise<number> {
    latencies.length = 0;
    const pushes = paced(RATE_PER_S, (due) => {
      void channels.service.publish('room:a', 'tick', { t: due });
    });
    attack?.start();
    await sleep(PHASE_MS);
    pushes.stop();
    attack?.stop();
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
  async function withinThreeTimes(name: string, attack: Attack): Promise<boolean> {
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
    expect(await withinThreeTimes('5,000 keys', every(RATE_PER_S, during))).toBe(true);
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

  it('keeps them there while 8 connections send a frame within every bound, with one "__proto__" key, 184/s in all (each under the 100/s limit)', async () => {
    // The probe's 92/s from one connection, twice over and spread over 8 sockets: the event
    // loop reads each ready socket in turn, so with the reviver (~5 ms a parse here) the turns
    // that read 8 frames kept subscribers waiting; without it the frame costs ~0.7 ms.
    const attackers = await Promise.all(
      Array.from({ length: 8 }, async () => (await channels.connect()).client),
    );
    const codes = new Map<string, number>();
    for (const attacker of attackers) {
      attacker.socket.on('message', (data) => {
        const code = (JSON.parse(data.toString()) as { error?: { code: string } }).error?.code;
        codes.set(String(code), (codes.get(String(code)) ?? 0) + 1);
      });
    }
    const during = () => attackers.forEach((attacker) => attacker.socket.send(PROTO_FRAME));
    expect(await withinThreeTimes('__proto__ over WebSocket', every(23, during))).toBe(true);
    // Parsed, every one (the event has no handler), and neither attacker cut off.
    console.log(JSON.stringify({ answers: Object.fromEntries(codes) }));
    expect(codes.get('UNKNOWN_EVENT')).toBeGreaterThan(0);
    for (const attacker of attackers) expect(attacker.socket.readyState).toBe(attacker.socket.OPEN);
  }, 90_000);

  it('keeps them there while the same frame is POSTed at 120/s from another process, a sixth of it over the limit', async () => {
    const poster = postFrom(`${channels.http}/channels/messages`, 120);
    expect(await withinThreeTimes('__proto__ POSTed', poster)).toBe(true);
    // The principal's POSTs share one budget (100/s): parsed and answered 404 UNKNOWN_EVENT
    // within it, refused 429 past it, after the bounds scan and before any parse.
    const statuses = await poster.statuses();
    console.log(JSON.stringify({ statuses }));
    expect(statuses[404]).toBeGreaterThan(0);
    expect(Object.keys(statuses).filter((status) => status !== '404' && status !== '429')).toEqual(
      [],
    );
  }, 90_000);
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
