import { Injectable, Logger } from '@nestjs/common';
import type { ChannelsEvent, ChannelsEventOf, ChannelsEventType } from './channels-event.types.js';

type Listener = (event: ChannelsEvent) => void;

/**
 * The module's lifecycle, as one typed stream: connections opened and closed, refused
 * handshakes, subscriptions, commands, rate limits, slow consumers, publishes, broker errors
 * and the start of shutdown. Both transports report through the same places, so a listener
 * sees every connection whatever its transport. Metrics, health and the app's own audit code
 * hang off it.
 *
 * Listeners run synchronously where the event happens: keep them cheap, and never throw (a
 * listener that throws is logged and the others still run). With no listener for a type, an
 * emit is one map lookup; nothing is emitted per delivery.
 *
 * @example
 * constructor(events: ChannelsEvents) {
 *   events.on('connection.closed', ({ connection, code, by }) =>
 *     this.audit.write({ id: connection.id, code, by }));
 * }
 */
@Injectable()
export class ChannelsEvents {
  private readonly logger = new Logger('Channels');
  private readonly listeners = new Map<ChannelsEventType, Listener[]>();

  /**
   * Calls `listener` for every event of `type`.
   * @returns a function that removes the listener
   */
  on<T extends ChannelsEventType>(
    type: T,
    listener: (event: ChannelsEventOf<T>) => void,
  ): () => void {
    // Copy-on-write: an emit in progress keeps iterating the list it started with.
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener as Listener]);
    return () => {
      const left = (this.listeners.get(type) ?? []).filter((l) => l !== listener);
      if (left.length > 0) this.listeners.set(type, left);
      else this.listeners.delete(type);
    };
  }

  /** Whether anyone listens to `type` (to skip work that only feeds a listener). */
  listening(type: ChannelsEventType): boolean {
    return this.listeners.has(type);
  }

  /** Reports one event to its listeners. */
  emit(event: ChannelsEvent): void {
    const listeners = this.listeners.get(event.type);
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        // A faulty listener must not break the connection or command that emitted the event.
        this.logger.error(
          `A listener of "${event.type}" threw: ${error instanceof Error ? error.message : String(error)}`,
          error instanceof Error ? error.stack : undefined,
        );
      }
    }
  }
}
