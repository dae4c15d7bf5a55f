import type { BrokerErrorEvent } from '../connection/channels-event.types.js';
import type { PushFrame, StreamPosition } from '../protocol/frames.js';

/**
 * What {@link HistoryStore.read} answers.
 * @example
 * const { position, missed } = await store.read('user:42', { epoch: 'k3J9', offset: 17 });
 * // position: { epoch: 'k3J9', offset: 18 }; missed: [the push at 18], or undefined after a gap
 */
export interface HistoryRead {
  /** The channel's latest position: the offset of its latest push (0 before the first). */
  position: StreamPosition;
  /**
   * With `since`: the pushes after it, oldest first, when history still holds every one of
   * them; `undefined` when it does not (another epoch, or a gap), so nothing partial is replayed.
   */
  missed?: PushFrame[];
}

/**
 * Keeps the recent pushes of every channel and sequences them: each push gets the next
 * offset of its channel (previous plus one) and the channel's epoch. The epoch changes
 * whenever a channel's history is lost (a restart of an in-memory store, an expired channel),
 * so a client's old offset is never mistaken for a new one.
 *
 * The in-memory default serves one node; a shared store (Redis Streams) makes recovery work
 * across nodes. The default `InMemoryBroker` sequences through the `HistoryStore` provider:
 * supply one with the `stores.history` option (an instance or a factory) or a provider.
 *
 * @example ChannelsModule.forRoot({ stores: { history: () => new InMemoryHistoryStore({ size: 100, ttlMs: 300_000 }) } })
 */
export abstract class HistoryStore {
  /** Records a push and returns it with its offset and epoch. */
  abstract append(channel: string, event: string, data: unknown): Promise<PushFrame>;

  /** The channel's latest position and, with `since`, what came after it. */
  abstract read(channel: string, since?: StreamPosition): Promise<HistoryRead>;

  /** Connects to its backend; the module awaits it before the app listens. */
  async start(): Promise<void> {}

  /** Whether the store can answer now. @default true */
  isReady(): boolean {
    return true;
  }

  /** Releases resources (called on application shutdown, after connections closed). */
  async close(): Promise<void> {}

  /**
   * @internal The module hands the store where its backend's errors go (the lifecycle
   * stream's `broker.error`, so `channels_broker_errors_total` counts them). A store without
   * a backend ignores it.
   */
  attach(_report: (event: BrokerErrorEvent) => void): void {}
}
