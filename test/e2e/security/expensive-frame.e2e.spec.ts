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
  async function pushPhase(during?: () => void): Promise<number> {
    latencies.length = 0;
    const pushes = setInterval(
      () => void channels.service.publish('room:a', 'tick', { t: performance.now() }),
      1_000 / RATE_PER_S,
    );
    const attack = during ? setInterval(during, 1_000 / RATE_PER_S) : undefined;
    await sleep(PHASE_MS);
    clearInterval(pushes);
    clearInterval(attack);
    await sleep(300);
    expect(latencies.length).toBeGreaterThan(SUBSCRIBERS * RATE_PER_S);
    return p99(latencies);
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
    // The machine is shared, so one noisy phase is not a verdict: up to three attack phases,
    // each judged against the worse of the phase before it and the one after. An attack that
    // stalls the event loop (as before the frame bounds: p99 from 16 ms to seconds) fails all
    // three; noise does not.
    const measured: Array<{ baselineP99Ms: number; underAttackP99Ms: number }> = [];
    let before = await pushPhase();
    for (let attempt = 0; attempt < 3; attempt++) {
      const underAttack = await pushPhase(() => attacker.socket.send(expensiveFrame(++id)));
      await sleep(200);
      const after = await pushPhase();
      measured.push({ baselineP99Ms: Math.max(before, after), underAttackP99Ms: underAttack });
      if (underAttack <= 3 * Math.max(before, after, NOISE_FLOOR_MS)) break;
      before = after;
    }
    console.log(JSON.stringify({ measured, frames: id }));
    expect(
      measured.some((m) => m.underAttackP99Ms <= 3 * Math.max(m.baselineP99Ms, NOISE_FLOOR_MS)),
    ).toBe(true);
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
});
