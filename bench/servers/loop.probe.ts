// What holds the event loop, by CPU time rather than by wall clock: on a shared machine a
// server waiting for a core shows a long delay that its own work did not cause. Opt-in
// (`BENCH_LOOP_PROBE=1` in the server's environment: the `idle-heavy` scenario sets it), since
// its 2 ms timer is a little work of its own.
import { PerformanceObserver } from 'node:perf_hooks';

/** The probe's readings since the last one. */
export interface LoopReadings {
  /** The most CPU (ms, the whole process) used between two ticks of a 2 ms timer: one turn. */
  turnCpuMaxMs: number;
  /** How many such stretches used more than 6 ms of CPU. */
  turnsOver6Ms: number;
  /** The longest garbage-collection pause (ms), and how many passed 2 ms. */
  gcMaxMs: number;
  gcOver2Ms: number;
}

/** Starts the probe. @returns a reader that also resets what it read */
export function startLoopProbe(): () => LoopReadings {
  const zero = (): LoopReadings => ({ turnCpuMaxMs: 0, turnsOver6Ms: 0, gcMaxMs: 0, gcOver2Ms: 0 });
  let readings = zero();
  let last = process.cpuUsage();
  const tick = () => {
    const now = process.cpuUsage();
    const ms = (now.user + now.system - last.user - last.system) / 1000;
    last = now;
    readings.turnCpuMaxMs = Math.max(readings.turnCpuMaxMs, ms);
    if (ms > 6) readings.turnsOver6Ms++;
    setTimeout(tick, 2).unref();
  };
  setTimeout(tick, 2).unref();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      readings.gcMaxMs = Math.max(readings.gcMaxMs, entry.duration);
      if (entry.duration > 2) readings.gcOver2Ms++;
    }
  }).observe({ entryTypes: ['gc'] });
  return () => {
    const read = readings;
    readings = zero();
    last = process.cpuUsage();
    return read;
  };
}
