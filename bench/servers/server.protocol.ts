// What every contender's server process offers the harness, whatever its stack:
//  - `POST /push` with `{ "channel": "...", "data": {...} }`: one push to that channel's
//    subscribers, answered once the server has handed it to its sockets;
//  - WebSocket (or SSE) subscribers, in the contender's own protocol (see load.client.ts);
//  - an `echo` command answered with its data (the inbound scenario);
//  - IPC: `{ op: 'snapshot', path }` writes a heap snapshot there;
//    `{ op: 'stats', gc }` answers `{ cpuUs, rss, heapUsed, lagP99Ms, lagMaxMs }` (after a full GC
//    when `gc`, for memory readings), and the loop probe's readings when it is on (loop.probe.ts).
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { startLoopProbe } from './loop.probe.js';
import { phaseProfiler } from './phase.profile.js';

/** A push's body as the driver sends it. */
export interface PushRequest {
  channel: string;
  data: unknown;
}

/** Reads and parses a small JSON request body. */
export function readJson(request: IncomingMessage): Promise<PushRequest> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      try {
        resolve(JSON.parse(body) as PushRequest);
      } catch (error) {
        reject(error as Error);
      }
    });
    request.on('error', reject);
  });
}

/** Tells the harness the port, then answers its stats requests until it is killed. */
export function serveHarness(server: Server): void {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const gc = (globalThis as { gc?: () => void }).gc;
  const probe = process.env.BENCH_LOOP_PROBE ? startLoopProbe() : undefined;
  const phase = phaseProfiler();
  process.on('message', (message: { op: string; gc?: boolean }) => {
    if (message.op === 'stats') {
      // The delay is read before the forced GC below, whose pause is the harness's, not the app's.
      const lagP99Ms = lag.percentile(99) / 1e6;
      const lagMaxMs = lag.max / 1e6;
      const loop = probe?.();
      if (message.gc) {
        gc?.();
        gc?.();
      }
      const cpu = process.cpuUsage();
      process.send!({
        op: 'stats',
        cpuUs: cpu.user + cpu.system,
        rss: process.memoryUsage().rss,
        heapUsed: process.memoryUsage().heapUsed,
        lagP99Ms,
        lagMaxMs,
        loop,
      });
      lag.reset();
      phase?.(message.gc === true);
    } else if (message.op === 'snapshot') {
      // bench/heap.snapshot.ts: the heap after a full GC, written where the harness says.
      gc?.();
      process.send!({
        op: 'snapshot',
        path: writeHeapSnapshot((message as { path?: string }).path),
      });
    } else if (message.op === 'exit') process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ op: 'listening', port: (server.address() as AddressInfo).port });
}
