/**
 * A graceful shutdown (the `shutdown` section of {@link ChannelsModuleOptions}): how long
 * clients get to close when the app stops.
 *
 * @example ChannelsModule.forRoot({ shutdown: { timeoutMs: 10_000 } })
 */
export interface ChannelsShutdownOptions {
  /**
   * How long a graceful shutdown waits for clients to close before terminating them.
   * @default 5000
   */
  timeoutMs?: number;
}
