import type { PushFrame, StreamPosition } from '../protocol/frames.js';
import { Broker } from './broker.js';
import type { PushMessage, TraceCarrier } from './broker.message.js';
import type { HistoryRead, HistoryStore } from './history.store.js';
import { InMemoryHistoryStore } from './in-memory.history-store.js';

/**
 * The embedded default: one node, sequenced and kept by a {@link HistoryStore} (default: an
 * `InMemoryHistoryStore` with its defaults; the module passes the `HistoryStore` provider),
 * delivered to this node's subscribers in the same turn.
 *
 * @example
 * ChannelsModule.forRoot({ stores: { broker: () => new InMemoryBroker(new InMemoryHistoryStore({ size: 500 })) } })
 */
export class InMemoryBroker extends Broker {
  // One node and one event loop: a channel's appends and deliveries happen in call order, so
  // offsets reach subscribers in order without a queue.
  constructor(protected readonly store: HistoryStore = new InMemoryHistoryStore()) {
    super();
  }

  async publish(
    channel: string,
    event: string,
    data: unknown,
    except?: readonly string[],
    trace?: TraceCarrier,
  ): Promise<PushFrame> {
    const push = await this.store.append(channel, event, data);
    const message: PushMessage = { type: 'push', push };
    if (except) message.except = except;
    if (trace) message.trace = trace;
    this.onMessage(message, this.nodeId);
    return push;
  }

  history(channel: string, since?: StreamPosition): Promise<HistoryRead> {
    return this.store.read(channel, since);
  }

  override start(): Promise<void> {
    // A store with a backend of its own reports its errors as broker errors.
    this.store.attach((event) => this.report(event));
    return this.store.start();
  }

  override close(): Promise<void> {
    return this.store.close();
  }

  override isReady(): boolean {
    return this.store.isReady();
  }
}
