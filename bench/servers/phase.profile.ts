// BENCH_CPU_PROF_PHASE=<dir>: a CPU profile of the measured phase only, not the server's start.
// Profiling starts at the harness's "before" reading (a stats request with a forced GC) and
// stops at the next reading without one, so `idle` profiles its connects and nothing else.
// BENCH_CPU_PROF_INTERVAL=<µs> sets the sampling interval (default 100 µs here).
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Returns the hook the harness calls on each stats request, or undefined when it is off. */
export function phaseProfiler(): ((gc: boolean) => void) | undefined {
  const dir = process.env.BENCH_CPU_PROF_PHASE;
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  let running = false;
  let count = 0;
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', {
    interval: Number(process.env.BENCH_CPU_PROF_INTERVAL ?? 100),
  });
  return (gc) => {
    if (gc && !running) {
      running = true;
      session.post('Profiler.start');
    } else if (!gc && running) {
      running = false;
      session.post('Profiler.stop', (error, result) => {
        if (error) return;
        const file = join(dir, `phase-${process.pid}-${++count}.cpuprofile`);
        writeFileSync(file, JSON.stringify(result.profile));
      });
    }
  };
}
