/**
 * Streamed replies (the `streams` section of `ChannelsModuleOptions`; docs/protocol.md,
 * "Streamed replies"). A stream's values are pushes on a stream channel, kept like any
 * channel's by the history (`history.size` values, `history.ttlMs` after the last one), which
 * is what a client resumes from after a reconnect.
 *
 * @example ChannelsModule.forRoot({ streams: { idleMs: 60_000 } })
 */
export interface ChannelsStreamsOptions {
  /**
   * How long a stream keeps running while no connection of its principal, on any node, is
   * subscribed to its channel; then it is cancelled (its teardown runs) and ends with reason
   * `idle`. A dropped connection that reconnects within this time resumes the stream.
   * @default 30000
   */
  idleMs?: number;
}
