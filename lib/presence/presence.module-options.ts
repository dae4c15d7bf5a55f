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
   * @default an `InMemoryPresenceStore` (one node)
   */
  store?: PresenceStore;
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
