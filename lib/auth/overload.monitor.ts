import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';

/** How often the event-loop delay is read (and its histogram reset), in ms. */
const SAMPLE_MS = 100;

/**
 * How far behind this node's event loop is, for admission, not counting the handshakes
 * themselves: a node working through a burst of handshakes is serving them (the kernel's
 * backlog queues the rest), a node held by other work (a CPU-bound handler, a flood of
 * pushes) is behind. One timer every 100 ms; a reading is how late that timer fired, or how
 * long the loop has gone without running it when a batch of handshakes begins (a loop still
 * stalled: handshakes read in the same turn as a long handler see it at once). The delay is
 * the smaller of the latest reading and the one before it, so only a sustained delay counts:
 * one stall (start-up, a GC, a module loaded on first use) is over before anyone is shed for
 * it. From every reading, the time spent in batches of handshakes (from the first handshake of
 * an I/O turn to the end of that turn) is taken out.
 * `perf_hooks.monitorEventLoopDelay` is not used: on Node 20 its histogram does not record a
 * stall in an I/O or immediate callback (a 300 ms busy loop read as 14 ms).
 */
@Injectable()
export class OverloadMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private lastSampleAt = 0;
  private recentDelayMs = 0;
  // The reading before the last: an overload is two late readings in a row.
  private priorDelayMs = 0;
  // Time spent in handshake batches since the last sample, and the batch under way.
  private handshakeWorkMs = 0;
  private batch?: { startedAt: number; delayMs: number };

  constructor(@Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings) {}

  onApplicationBootstrap(): void {
    // Nothing to admit without transports (`transports: false`), nor with the measure off.
    if (!this.settings.transports || this.settings.admission.maxEventLoopDelayMs === false) return;
    this.lastSampleAt = performance.now();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * The event-loop delay a handshake arriving now is judged by, in ms: the same for every
   * handshake of one I/O turn (their own work is not a delay). 0 before the module has
   * started, or with `admission.maxEventLoopDelayMs: false`.
   * @example if (monitor.handshakeDelayMs() > 500) shed();
   */
  handshakeDelayMs(): number {
    if (!this.timer) return 0;
    if (this.batch) return this.batch.delayMs;
    const now = performance.now();
    const stalledMs = now - this.lastSampleAt - SAMPLE_MS - this.handshakeWorkMs;
    // Sustained delay only: the smaller of the latest reading and the one before it. One stall
    // (the app's own start-up, a long GC, a module loaded on first use) sheds nobody once it is
    // over; a loop held by work (a CPU-bound handler) reads late again and again, and sheds.
    const stillStalled = stalledMs > this.recentDelayMs;
    const latest = stillStalled ? stalledMs : this.recentDelayMs;
    const before = stillStalled ? this.recentDelayMs : this.priorDelayMs;
    const batch = { startedAt: now, delayMs: Math.min(latest, before) };
    this.batch = batch;
    // The check phase follows the I/O turn: the batch ends there.
    setImmediate(() => {
      this.handshakeWorkMs += performance.now() - batch.startedAt;
      this.batch = undefined;
    }).unref();
    return batch.delayMs;
  }

  /**
   * Counts handshake work done outside an I/O turn (handshakes taken up from a queue at
   * `setImmediate`, see the WebSocket transport) as the node's own work, not as delay. Work
   * inside an open batch is already counted by the batch.
   * @example monitor.handshakeWork(performance.now() - startedAt);
   */
  handshakeWork(ms: number): void {
    if (this.timer && !this.batch) this.handshakeWorkMs += ms;
  }

  private sample(): void {
    const now = performance.now();
    const lateMs = now - this.lastSampleAt - SAMPLE_MS;
    this.priorDelayMs = this.recentDelayMs;
    this.recentDelayMs = Math.max(0, lateMs - this.handshakeWorkMs);
    this.handshakeWorkMs = 0;
    this.lastSampleAt = now;
  }
}
