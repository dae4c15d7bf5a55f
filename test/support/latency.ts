import { performance } from 'node:perf_hooks';

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

/** The 99th percentile of `samples`. */
export function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}
