/** A listener of one event. */
export type Listener<Args extends unknown[]> = (...args: Args) => void;

/**
 * A small typed event emitter that runs in browsers and Node alike (no `node:events`). A
 * listener that throws does not stop the others: the error goes to `onListenerError`.
 */
export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  // Listeners are stored untyped; `on` and `emit` keep each event's arguments typed.
  private readonly listeners = new Map<keyof Events, Set<unknown>>();

  /**
   * Adds a listener.
   * @returns a function that removes it
   */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Removes a listener. */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.listeners.get(event)?.delete(listener);
  }

  /** Whether anyone listens to `event`. */
  protected hasListeners(event: keyof Events): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as Listener<Events[K]>)(...args);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  /** Where a throwing listener's error goes. */
  protected onListenerError(error: unknown, _event: keyof Events): void {
    console.error(error);
  }
}
