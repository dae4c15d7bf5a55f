import { randomBytes } from 'node:crypto';
import type { PushFrame, StreamPosition } from '../protocol/frames.js';
import { HistoryStore, type HistoryRead } from './history.store.js';

/**
 * Options of {@link InMemoryHistoryStore}.
 * @example new InMemoryHistoryStore({ size: 500, ttlMs: 60_000 })
 */
export interface InMemoryHistoryOptions {
  /** Pushes kept per channel. @default 100 */
  size?: number;
  /** How long a push is kept, in milliseconds. @default 300000 */
  ttlMs?: number;
}

interface ChannelLog {
  epoch: string;
  offset: number;
  entries: Array<{ push: PushFrame; at: number }>;
  touchedAt: number;
}

/**
 * History in this process's memory: the last `size` pushes of each channel for `ttlMs`.
 * A channel neither published to nor read for longer than `ttlMs` is forgotten; it comes back
 * with a new epoch, so a client holding an old position is told to refetch.
 *
 * @example new InMemoryHistoryStore({ size: 100, ttlMs: 5 * 60_000 })
 */
export class InMemoryHistoryStore extends HistoryStore {
  private readonly logs = new Map<string, ChannelLog>();
  private readonly size: number;
  private readonly ttlMs: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: InMemoryHistoryOptions = {}) {
    super();
    this.size = options.size ?? 100;
    this.ttlMs = options.ttlMs ?? 300_000;
    this.sweeper = setInterval(() => this.sweep(), Math.max(1_000, this.ttlMs)).unref();
  }

  async append(channel: string, event: string, data: unknown): Promise<PushFrame> {
    const log = this.log(channel);
    const now = log.touchedAt;
    log.offset += 1;
    const push: PushFrame = { channel, event, data, offset: log.offset, epoch: log.epoch };
    log.entries.push({ push, at: now });
    if (log.entries.length > this.size) log.entries.shift();
    return push;
  }

  async read(channel: string, since?: StreamPosition): Promise<HistoryRead> {
    const log = this.log(channel);
    const position = { epoch: log.epoch, offset: log.offset };
    if (!since) return { position };
    return { position, missed: this.after(log, since) };
  }

  override async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.logs.clear();
  }

  private after(log: ChannelLog, since: StreamPosition): PushFrame[] | undefined {
    if (since.epoch !== log.epoch || since.offset > log.offset || since.offset < 0)
      return undefined;
    if (since.offset === log.offset) return [];
    this.dropExpired(log);
    const first = log.entries[0];
    if (!first || first.push.offset > since.offset + 1) return undefined;
    return log.entries
      .filter((entry) => entry.push.offset > since.offset)
      .map((entry) => entry.push);
  }

  private log(channel: string): ChannelLog {
    let log = this.logs.get(channel);
    if (!log) {
      log = { epoch: randomBytes(6).toString('base64url'), offset: 0, entries: [], touchedAt: 0 };
      this.logs.set(channel, log);
    }
    log.touchedAt = Date.now();
    return log;
  }

  private dropExpired(log: ChannelLog): void {
    const oldest = Date.now() - this.ttlMs;
    while (log.entries.length > 0 && log.entries[0]!.at < oldest) log.entries.shift();
  }

  private sweep(): void {
    const oldest = Date.now() - this.ttlMs;
    for (const [channel, log] of this.logs) {
      this.dropExpired(log);
      if (log.entries.length === 0 && log.touchedAt < oldest) this.logs.delete(channel);
    }
  }
}
