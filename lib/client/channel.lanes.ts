/**
 * Runs each channel's `subscribe` and `unsubscribe` commands one after another: a channel's
 * next command goes out only once the one before it is answered.
 *
 * The server runs a connection's commands concurrently (over SSE each is its own HTTP
 * request), so an `unsubscribe` sent while the `subscribe` before it is still being
 * authorized can be applied first, and a quick subscribe, unsubscribe, subscribe can end
 * unsubscribed on the server while the client believes itself live. Waiting for each answer
 * makes the server apply them in the order the app made them. Different channels do not wait
 * for each other.
 *
 * Lanes belong to one connection: {@link reset} forgets them when it is lost, and a command
 * still queued then is dropped (the next connection starts from the registry's state).
 */
export class ChannelLanes {
  private readonly lanes = new Map<string, Promise<void>>();
  private connection = 0;

  /**
   * Runs `command` now when the channel has nothing in flight, otherwise after what is.
   * `command` is called synchronously in the first case, so its request goes out at once.
   * @param command sends one command and settles with its answer; it should not reject
   * @returns a promise that settles when `command` has (or was dropped)
   */
  run(channel: string, command: () => Promise<unknown>): Promise<void> {
    const connection = this.connection;
    const previous = this.lanes.get(channel);
    const next = previous
      ? previous.then(() => (connection === this.connection ? settle(command) : undefined))
      : settle(command);
    this.lanes.set(channel, next);
    void next.then(() => {
      if (this.lanes.get(channel) === next) this.lanes.delete(channel);
    });
    return next;
  }

  /** The connection is gone: forget what was in flight, and drop what waited behind it. */
  reset(): void {
    this.connection += 1;
    this.lanes.clear();
  }
}

// A lane moves on whatever the command's outcome: its caller has handled it already.
function settle(command: () => Promise<unknown>): Promise<void> {
  try {
    return command().then(
      () => undefined,
      () => undefined,
    );
  } catch {
    return Promise.resolve();
  }
}
