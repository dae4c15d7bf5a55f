/**
 * The WebSocket heartbeat (the `heartbeat` section of {@link ChannelsModuleOptions}): the
 * server pings each connection and cuts off one that does not answer. SSE streams have their
 * own, in the `sse` section.
 *
 * @example ChannelsModule.forRoot({ heartbeat: { intervalMs: 30_000, timeoutMs: 10_000 } })
 */
export interface ChannelsHeartbeatOptions {
  /**
   * How often the server pings each WebSocket connection (the welcome frame's `heartbeatMs`).
   * @default 25000
   */
  intervalMs?: number;
  /**
   * How long a WebSocket client may take to answer a ping before it is cut off with 4408.
   * @default 10000
   */
  timeoutMs?: number;
}
