import { performance } from 'node:perf_hooks';
import { HandshakePacer } from '../../../lib/transports/handshake.pacer.js';
import { sleep } from '../../support/wait.js';

// A handshake that costs `ms` of CPU, as one whose guards do not await does.
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

// Until nothing waits (the pacer takes a budget a loop iteration), or 5 s.
async function settle(pacer: { readonly waiting: number }): Promise<void> {
  for (let i = 0; i < 100 && pacer.waiting > 0; i++) await sleep(50);
  await sleep(10);
}

describe('HandshakePacer: a budget of handshake work a turn, the rest in arrival order', () => {
  it('runs what fits the budget at once, queues the rest, and lets timers run between turns', async () => {
    const ran: number[] = [];
    const queuedWork: number[] = [];
    let ranWhenTimerFired = -1;
    const pacer = new HandshakePacer<number>(
      (job) => {
        spin(3);
        ran.push(job);
      },
      (ms) => queuedWork.push(ms),
      10,
    );
    setTimeout(() => (ranWhenTimerFired = ran.length), 0);
    for (let job = 0; job < 20; job++) pacer.offer(job);
    const ranAtOnce = ran.length;
    expect(ranAtOnce).toBeGreaterThan(0);
    expect(ranAtOnce).toBeLessThanOrEqual(4);
    expect(pacer.waiting).toBe(20 - ranAtOnce);

    await settle(pacer);
    expect(ran).toEqual(Array.from({ length: 20 }, (_, job) => job));
    expect(pacer.waiting).toBe(0);
    // The timer did not wait for the whole burst (20 x 3 ms) to be done.
    expect(ranWhenTimerFired).toBeGreaterThanOrEqual(ranAtOnce);
    expect(ranWhenTimerFired).toBeLessThan(20);
    // The rest was taken up in several turns, each reported as handshake work.
    expect(queuedWork.length).toBeGreaterThan(1);
    expect(queuedWork.every((ms) => ms >= 3)).toBe(true);
  });

  it('queues a late arrival behind those waiting, and runs one at once in a quiet turn', async () => {
    const ran: string[] = [];
    const pacer = new HandshakePacer<string>(
      (job) => {
        spin(job.startsWith('early') ? 4 : 0);
        ran.push(job);
      },
      undefined,
      5,
    );
    for (const job of ['early-1', 'early-2', 'early-3', 'early-4']) pacer.offer(job);
    expect(pacer.waiting).toBeGreaterThan(0);
    // Arrives in a later turn while the early ones still wait: behind them.
    setImmediate(() => pacer.offer('late'));
    await settle(pacer);
    expect(ran).toEqual(['early-1', 'early-2', 'early-3', 'early-4', 'late']);

    // Nothing waits: a new arrival is not deferred.
    pacer.offer('quiet');
    expect(ran.at(-1)).toBe('quiet');
    expect(pacer.waiting).toBe(0);
  });
});
