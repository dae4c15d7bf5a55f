// The `status` channel: the sample's dashboard, delivered `latest` (SAMPLE.md).
import { IsArray, IsInt, IsString, Min } from 'class-validator';
import { defineChannel } from '../../../lib/index.js';

/** Push `stats` on `status`: totals since this node started, and the latest titles. */
export class StatusPush {
  @IsInt() @Min(0) notifications!: number;
  @IsInt() @Min(0) announcements!: number;
  /** The titles of the latest 10 notifications and announcements, newest first. */
  @IsArray() @IsString({ each: true }) recent!: string[];
  /** When it was published, in ms since the epoch. */
  @IsInt() at!: number;
}

/**
 * `status`: every signed-in user may subscribe. Delivery `latest`: a reader that falls behind
 * gets only the newest `stats`, never a 4008. Deltas allowed: a subscriber that asks gets each
 * `stats` as a Fossil delta from the one before (over WebSocket).
 */
export const statusChannel = defineChannel(
  'status',
  { stats: StatusPush },
  {
    description:
      'Totals and the latest titles, after every notification and announcement. Delivery `latest`: a subscriber that falls behind gets only the newest value. Deltas allowed (`subscribe { delta: "fossil" }`).',
  },
);
