import { quantile, withinThreeTimes, type Attack } from '../../support/latency-phases.js';
import { startPushProbe, type PushProbe } from '../../support/push-latency.probe.js';
import { rawPostsFrom, type RawPostOutcome } from '../../support/raw-post.mjs';
import { startChannels, type ChannelsApp } from './channels-app.js';
import { OpenGateway, TokenGuard } from './gateways.js';

const POSTS = 1_500;
const BODY_TIMEOUT_MS = 2_000;
// The POSTs start over 1 s: a burst of 1,500 new connections costs a bare Node server ~300 ms
// of event loop on this shared machine before any code of the module runs.
const SPREAD_MS = 1_000;
// What the node may grow by while 1,500 half-open POSTs come and go (the probe saw +44 MB, and
// none of them ended): 100 bodies of 11 bytes held, the rest refused before a byte is read.
const RSS_GROWTH_BOUND_MB = 40;

// Issue 19, item 6: 1,500 authenticated POSTs declaring Content-Length 60000 and sending 11
// bytes, from one address, at once (from a process of its own).
describe('security: half-open POSTs', () => {
  let channels: ChannelsApp;
  let probe: PushProbe;

  beforeAll(async () => {
    channels = await startChannels(
      { limits: { bodyTimeoutMs: BODY_TIMEOUT_MS }, rateLimits: { connection: false } },
      [OpenGateway, TokenGuard],
    );
    probe = await startPushProbe(
      channels.url,
      'room:a',
      (t) => channels.service.publish('room:a', 'tick', { t }),
      { headers: (n) => ({ Authorization: `Bearer user-probe${n}` }) },
    );
  });
  afterAll(async () => {
    probe?.close();
    await channels?.app.close();
  });

  it('refuses those over the per-address cap 429 at once, ends the rest 408 at the deadline, and others keep their p99', async () => {
    const runs: Array<Promise<RawPostOutcome[]>> = [];
    const attack: Attack = {
      start: () =>
        void runs.push(
          rawPostsFrom(
            {
              url: `${channels.http}/channels/messages`,
              headers: { Authorization: 'Bearer user-mallory' },
              sent: '{"id":1,"ev',
              declared: 60_000,
            },
            POSTS,
            BODY_TIMEOUT_MS * 3,
            SPREAD_MS,
          ),
        ),
      stop: () => undefined,
    };
    let peakRss = process.memoryUsage().rss;
    const baseRss = peakRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const kept = await withinThreeTimes('1,500 half-open POSTs', (a) => probe.phase(a), attack);
    clearInterval(sampler);
    const growthMb = (peakRss - baseRss) / 2 ** 20;
    const outcomes = (await Promise.all(runs)).flat();
    const refused = outcomes.filter((o) => o.status === 429);
    const timedOut = outcomes.filter((o) => o.status === 408);
    console.log(
      JSON.stringify({
        runs: runs.length,
        statuses: { 429: refused.length, 408: timedOut.length },
        refusedP99Ms: quantile(
          refused.map((o) => o.answeredMs!),
          0.99,
        ),
        timedOutMs: [
          Math.min(...timedOut.map((o) => o.answeredMs!)),
          Math.max(...timedOut.map((o) => o.closedMs!)),
        ],
        rssGrowthMb: growthMb,
      }),
    );
    expect(kept).toBe(true);
    // Every POST answered: 100 at a time (the default cap per address) wait for the deadline;
    // one that arrives after a deadline freed places takes one.
    expect(refused.length + timedOut.length).toBe(outcomes.length);
    expect(timedOut.length).toBeGreaterThanOrEqual(100 * runs.length);
    expect(refused.length).toBeGreaterThan(outcomes.length / 2);
    // Refused on arrival, not at the deadline.
    expect(
      quantile(
        refused.map((o) => o.answeredMs!),
        0.99,
      ),
    ).toBeLessThan(200);
    for (const o of refused) {
      expect(o.answeredMs).toBeLessThan(BODY_TIMEOUT_MS / 2);
      expect(o.retryAfter).toBe(String(BODY_TIMEOUT_MS / 1000));
    }
    for (const o of timedOut) {
      expect(o.answeredMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
      expect(o.closedMs).toBeLessThan(BODY_TIMEOUT_MS + 1_000);
    }
    expect(growthMb).toBeLessThan(RSS_GROWTH_BOUND_MB);
  }, 120_000);
});
