/**
 * Presence timing (the `presence` section of `ChannelsModuleOptions`). Which channels have
 * presence is declared on their `@OnJoin` (docs/presence.md); where members are kept is
 * `stores.presence` (in memory, or Redis with `stores.redis`).
 *
 * @example ChannelsModule.forRoot({ presence: { coalesceMs: 100, ttlMs: 15_000 } })
 */
export interface ChannelsPresenceOptions {
  /**
   * The coalescing window: a subscriber gets at most one `presence.diff` frame per channel
   * per window, with every join and leave of that window (a key that joined and left within
   * it in neither). With Redis, each node also writes its changes of a window to the others
   * in one script and one message (the Redis store's `batchMs`). Longer: fewer frames in a
   * reconnect storm, arrivals announced later.
   * @default 50
   */
  coalesceMs?: number;
  /**
   * How long the members of a node that died without a shutdown stay listed (the Redis
   * presence store's lease).
   * @default 30000
   */
  ttlMs?: number;
}
