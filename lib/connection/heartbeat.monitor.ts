import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import type { Connection } from './connection.js';
import { ConnectionRegistry } from './connection.registry.js';

/**
 * How long one turn of a sweep may hold the event loop, in ms. A ping is one frame and one
 * write per socket (8-9 µs of CPU, most of it the write system call): connections opened
 * together fall due together, and one turn for 18,000 of them held the loop 0.7-0.9 s. Past
 * this budget the sweep yields and resumes on the next turn, so pushes, commands and timers
 * run between its slices. The pongs of a slice are read in the next turn's poll phase, so a
 * turn holds about twice the budget; at 18,000 connections 2 ms left a third to two thirds
 * fewer turns over 6 ms of CPU than 4 ms did (BENCHMARKS.md, issue 21 heartbeat section).
 */
const HEARTBEAT_SLICE_MS = 2;

// How many connections between two clock reads: a read costs about what a due check does.
const CLOCK_EVERY = 32;

/**
 * One sweep timer for every connection: a connection that is due gets its heartbeat (a
 * WebSocket ping, an SSE comment line); one that has not answered within the timeout is cut
 * off (4408), and its subscriptions and timers are freed as it closes. A sweep visits every
 * connection, in slices of at most `HEARTBEAT_SLICE_MS` each, one slice per event-loop turn.
 */
@Injectable()
export class HeartbeatMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  // The sweep under way: the registry's live iterator (a Map's: connections that leave are
  // skipped, ones that arrive are visited), and its next slice.
  private cursor?: Iterator<Connection>;
  private resume?: NodeJS.Immediate;

  constructor(
    private readonly connections: ConnectionRegistry,
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
  ) {}

  onApplicationBootstrap(): void {
    const { intervalMs: heartbeatMs, timeoutMs: heartbeatTimeoutMs } = this.settings.heartbeat;
    const sseHeartbeatMs = this.settings.sse.heartbeatMs;
    // SSE streams keep their own interval (sseHeartbeatMs): the sweep must be fine enough for both.
    const tick = Math.max(5, Math.min(heartbeatMs, heartbeatTimeoutMs, sseHeartbeatMs) / 2);
    this.timer = setInterval(() => this.sweep(), tick).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    clearImmediate(this.resume);
    this.cursor = this.resume = undefined;
  }

  private sweep(): void {
    // A sweep still under way (a large registry on a busy loop) finishes first.
    if (this.cursor) return;
    this.cursor = this.connections.all();
    this.slice();
  }

  private slice(): void {
    this.resume = undefined;
    const cursor = this.cursor;
    if (!cursor) return;
    const { intervalMs: heartbeatMs, timeoutMs: heartbeatTimeoutMs } = this.settings.heartbeat;
    const start = performance.now();
    let now = Date.now();
    for (let visited = 1; ; visited++) {
      const next = cursor.next();
      if (next.done) {
        this.cursor = undefined;
        return;
      }
      next.value.heartbeat(now, heartbeatMs, heartbeatTimeoutMs);
      if (visited % CLOCK_EVERY === 0) {
        if (performance.now() - start >= HEARTBEAT_SLICE_MS) break;
        now = Date.now();
      }
    }
    this.resume = setImmediate(() => this.slice());
    this.resume.unref();
  }
}
