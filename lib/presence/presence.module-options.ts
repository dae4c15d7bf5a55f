import type { PresenceStore } from './presence.store.js';

/**
 * Module-wide presence settings (the `presence` option of `ChannelsModule.forRoot`). Which
 * channels have presence is declared per pattern, on `@OnJoin`.
 * @example
 * ChannelsModule.forRoot({ presence: { coalesceMs: 100 } })
 */
export interface PresenceModuleOptions {
  /**
   * Where membership is kept and how its changes reach every node.
   * @default an `InMemoryPresenceStore` (one node), or a `RedisPresenceStore` on the `redis`
   *   option's Redis (keys under `<keyPrefix>:presence`) when that option is given
   */
  store?: PresenceStore;
  /**
   * With the module's `redis` option and no `store`: the TTL of the `RedisPresenceStore` the
   * module makes (how long the members of a node that died without a shutdown stay listed).
   * Ignored when `store` is given (set it on the store) and by the in-memory store.
   * @default 30000
   * @example ChannelsModule.forRoot({ redis: { url }, presence: { ttlMs: 15_000 } })
   */
  ttlMs?: number;
  /**
   * How long membership changes are gathered before `presence.join` / `presence.leave` go out:
   * a join and a leave of the same key within this window cancel out, and a storm goes out as
   * one batch per channel (see docs/presence.md).
   * @default 50
   */
  coalesceMs?: number;
}

/** The default of {@link PresenceModuleOptions.coalesceMs}. */
export const DEFAULT_PRESENCE_COALESCE_MS = 50;
