import { performance } from 'node:perf_hooks';
import { useChannels } from '../security/channels-app.js';

// Connections opened together (a reconnect storm) must not fall due together: their pongs
// would come back in one burst that one poll phase reads (issue 21: 18,000 of them held the
// loop 140-190 ms). Each gets its own phase: a first ping between half and all of an interval
// after the first sweep that sees it, then one per interval.
describe('capacity: heartbeat phases', () => {
  const channels = useChannels({ heartbeat: { intervalMs: 1_000, timeoutMs: 1_000 } });

  it('pings 30 connections opened together at times spread over half an interval, each still once an interval', async () => {
    const opened = performance.now();
    const clients = await Promise.all(Array.from({ length: 30 }, () => channels.connect()));
    const pings = clients.map(({ client }) => {
      const at: number[] = [];
      client.socket.on('ping', () => at.push(performance.now() - opened));
      return at;
    });
    await new Promise((resolve) => setTimeout(resolve, 2_600));
    const first = pings.map((at) => at[0]!);
    console.log(JSON.stringify({ firstPingMs: first.map(Math.round).sort((a, b) => a - b) }));
    for (const at of pings) expect(at.length).toBeGreaterThanOrEqual(2);
    // One sweep pings what is due at once: a burst is the pings of one sweep. 30 phases drawn
    // over 500 ms fall into at least 4 of the 100 ms sweeps (fewer: a chance below 1e-9); with
    // one phase for all they would all leave in one or two sweeps.
    const sorted = [...first].sort((a, b) => a - b);
    const bursts = sorted.filter((ms, i) => i === 0 || ms - sorted[i - 1]! > 30).length;
    expect(bursts).toBeGreaterThanOrEqual(4);
    // Not before half an interval; the sweep runs every 100 ms here (a tenth of it).
    for (const ms of first) expect(ms).toBeGreaterThanOrEqual(400);
  });
});
