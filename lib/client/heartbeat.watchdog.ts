import { backgroundInterval } from './timers.js';

/**
 * Notices a dead server. The server pings every `heartbeatMs` (its welcome says how often),
 * but a browser answers WebSocket pings without telling the page, so silence is the only
 * signal a page can read. The watchdog therefore counts any arrival as a sign of life and:
 * - when nothing has arrived for `heartbeatMs`, asks the client to **probe** (a command whose
 *   answer is itself traffic), unless the transport shows heartbeats on its own (SSE's
 *   `: ping` comments);
 * - when nothing has arrived for `heartbeatMs + timeoutMs`, declares the connection dead.
 * A busy connection is never probed: its own traffic proves it alive.
 */
export class HeartbeatWatchdog {
  private timer?: ReturnType<typeof setInterval>;
  private lastSeen = 0;
  private probed = false;

  constructor(
    private readonly onProbe: () => void,
    private readonly onDead: () => void,
  ) {}

  /** Starts watching a connection whose server beats every `heartbeatMs`. */
  start(heartbeatMs: number, timeoutMs: number, probe: boolean): void {
    this.stop();
    if (!(heartbeatMs > 0) || !(timeoutMs > 0)) return;
    this.lastSeen = Date.now();
    this.probed = false;
    const tick = Math.max(10, Math.min(heartbeatMs, timeoutMs) / 2);
    this.timer = backgroundInterval(() => this.check(heartbeatMs, timeoutMs, probe), tick);
  }

  /** Something arrived. */
  activity(): void {
    this.lastSeen = Date.now();
    this.probed = false;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(heartbeatMs: number, timeoutMs: number, probe: boolean): void {
    const silentFor = Date.now() - this.lastSeen;
    if (silentFor >= heartbeatMs + timeoutMs) {
      this.stop();
      this.onDead();
    } else if (probe && !this.probed && silentFor >= heartbeatMs) {
      this.probed = true;
      this.onProbe();
    }
  }
}
