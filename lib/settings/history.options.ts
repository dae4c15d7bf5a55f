/**
 * Channel history for recovery (the `history` section of `ChannelsModuleOptions`): how many
 * pushes each channel keeps and for how long. The module's own history stores (in memory, and
 * Redis Streams with `stores.redis`) read it; a store you supply in `stores.history` keeps its
 * own settings.
 *
 * @example ChannelsModule.forRoot({ history: { size: 500, ttlMs: 600_000 } })
 */
export interface ChannelsHistoryOptions {
  /**
   * How many recent pushes each channel keeps.
   * @default 100
   */
  size?: number;
  /**
   * How long a channel's history is kept after its last push, in milliseconds.
   * @default 300000
   */
  ttlMs?: number;
}
