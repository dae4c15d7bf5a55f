/**
 * A graceful shutdown (the `shutdown` section of {@link ChannelsModuleOptions}): how long
 * clients get to close when the app stops, and the close code they get.
 *
 * @example ChannelsModule.forRoot({ shutdown: { timeoutMs: 10_000, closeCode: 1012 } })
 */
export interface ChannelsShutdownOptions {
  /**
   * How long a graceful shutdown waits for clients to close before terminating them. Also the
   * longest a connection closed for abuse (4429) waits for the answers of the commands it sent
   * before that decision (a close never swallows an answer).
   * @default 5000
   */
  timeoutMs?: number;
  /**
   * The close code a graceful shutdown closes every connection with (WebSocket close frame,
   * SSE `event: close`): `1001` (going away), or `1012` (service restart) for one node of many
   * going down in a rolling deploy. The client SDK reconnects on both, with jittered backoff.
   * @default 1001
   * @example shutdown: { closeCode: process.env.REDIS_URL ? 1012 : 1001 }
   */
  closeCode?: 1001 | 1012;
}
