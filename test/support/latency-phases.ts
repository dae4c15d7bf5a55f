import { performance } from 'node:perf_hooks';
import { sleep } from './wait.js';

/** Below this a p99 is timer noise on a shared machine, not a cost: ratios are taken from it. */
export const NOISE_FLOOR_MS = 10;

/** An attack run during the measured phases. */
export interface Attack {
  start(): void;
  stop(): void;
}

/**
 * Calls `tick` at `perSecond`, each call with the time it was due: a late call (a busy event
 * loop) catches up at once, and is not moved to later, so no delay goes unmeasured.
 */
export function paced(perSecond: number, tick: (due: number) => void): { stop(): void } {
  const interval = 1_000 / perSecond;
  const started = performance.now();
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  const next = (): void => {
    const due = started + ++n * interval;
    timer = setTimeout(
      () => {
        tick(due);
        next();
      },
      Math.max(0, due - performance.now()),
    );
  };
  next();
  return { stop: () => clearTimeout(timer) };
}

/** The sample at quantile `q` (0..1) of `samples`. */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

/** The 99th percentile of `samples`. */
export function p99(samples: readonly number[]): number {
  return quantile(samples, 0.99);
}

/**
 * Whether a p99 measured by `phase` stayed within 3x of its baseline while `attack` ran. The
 * machine is shared, so one noisy phase is not a verdict: up to three attack phases, each
 * judged against the worse of the phase before it and the one after. An attack that stalls the
 * event loop fails all three; noise does not. Logs what it measured under `name`.
 * @param phase runs one measured phase (with the attack, when given) and returns its p99
 */
export async function withinThreeTimes(
  name: string,
  phase: (attack?: Attack) => Promise<number>,
  attack: Attack,
): Promise<boolean> {
  const measured: Array<{ baselineP99Ms: number; underAttackP99Ms: number }> = [];
  let before = await phase();
  for (let attempt = 0; attempt < 3; attempt++) {
    const underAttack = await phase(attack);
    await sleep(200);
    const after = await phase();
    measured.push({ baselineP99Ms: Math.max(before, after), underAttackP99Ms: underAttack });
    if (underAttack <= 3 * Math.max(before, after, NOISE_FLOOR_MS)) break;
    before = after;
  }
  console.log(JSON.stringify({ attack: name, measured }));
  return measured.some((m) => m.underAttackP99Ms <= 3 * Math.max(m.baselineP99Ms, NOISE_FLOOR_MS));
}
