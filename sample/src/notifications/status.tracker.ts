import { Injectable } from '@nestjs/common';
import { ChannelsService } from '../../../lib/index.js';
import type { StatusPush } from './status.contract.js';

/** How many titles `recent` keeps. */
const RECENT = 10;

/**
 * Counts what this node created and publishes `stats` on `status` after each: the channel is
 * `latest`, so a slow tab gets the newest totals, not every step.
 * @example await tracker.record('announcement', 'Hello');
 */
@Injectable()
export class StatusTracker {
  private readonly totals = { notifications: 0, announcements: 0 };
  private readonly recent: string[] = [];

  constructor(private readonly channels: ChannelsService) {}

  /** Counts one created item and publishes the new `stats`. */
  async record(kind: 'notification' | 'announcement', title: string): Promise<void> {
    if (kind === 'notification') this.totals.notifications++;
    else this.totals.announcements++;
    this.recent.unshift(title);
    this.recent.length = Math.min(this.recent.length, RECENT);
    const stats: StatusPush = { ...this.totals, recent: [...this.recent], at: Date.now() };
    await this.channels.publish('status', 'stats', stats);
  }
}
