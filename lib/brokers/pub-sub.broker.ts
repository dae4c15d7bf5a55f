import type { PushFrame, StreamPosition } from '../protocol/frames.js';
import { Broker } from './broker.js';
import { decodeEnvelope, encodeEnvelope } from './broker.envelope.js';
import type { ControlMessage, TraceCarrier } from './broker.message.js';
import type { HistoryRead, HistoryStore } from './history.store.js';

/**
 * The base of a broker over a plain publish/subscribe bus (NATS core, Postgres `NOTIFY`, an
 * in-process emitter...): the {@link HistoryStore} assigns offsets and keeps history, the bus
 * carries envelopes. A subclass implements {@link send} and {@link sendControl} (and
 * `subscribe` / `unsubscribe` where its bus routes by topic) and hands every envelope its bus
 * delivers to {@link receive}. docs/broker.md shows one in under 100 lines.
 *
 * A publish appends, then sends: when the send fails the caller's promise rejects, but the push
 * stays in the store (a recovering client may be replayed it). A bus that can fail after the
 * append and must not keep such pushes implements `publish` itself, in one step.
 *
 * Ordering: this node's publishes to a channel leave one after the other. Across nodes a
 * channel stays in offset order when the store's `append` is atomic and shared (every node
 * appends to the same store) and the bus keeps one publisher's order; where the bus cannot
 * promise that, implement `publish` in one step as `RedisBroker` does.
 *
 * @example
 * class BusBroker extends PubSubBroker {
 *   constructor(private readonly bus: EventEmitter, store: HistoryStore) {
 *     super(store);
 *     bus.on('message', (topic, text) => this.receive(topic === 'control' ? undefined : topic, text));
 *   }
 *   protected async send(channel: string, text: string) { this.bus.emit('message', channel, text); }
 *   protected async sendControl(text: string) { this.bus.emit('message', 'control', text); return undefined; }
 * }
 */
export abstract class PubSubBroker extends Broker {
  // A bus connects nodes: disconnects, forwarded commands and stats go to the others.
  override readonly distributed: boolean = true;
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(protected readonly store: HistoryStore) {
    super();
  }

  /** Publishes an envelope on the bus topic of `channel`. */
  protected abstract send(channel: string, envelope: string): Promise<void>;

  /**
   * Publishes an envelope to every node.
   * @returns how many nodes received it (this one included) when the bus says
   */
  protected abstract sendControl(envelope: string): Promise<number | undefined>;

  publish(
    channel: string,
    event: string,
    data: unknown,
    except?: readonly string[],
    trace?: TraceCarrier,
  ): Promise<PushFrame> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    const run = previous.then(async () => {
      const push = await this.reported('history', this.store.append(channel, event, data));
      const message = { type: 'push' as const, push, except, sentAt: performance.now(), trace };
      await this.reported('publish', this.send(channel, encodeEnvelope(this.nodeId, message)));
      return push;
    });
    const tail = run.catch(() => undefined);
    this.tails.set(channel, tail);
    void tail.then(() => {
      if (this.tails.get(channel) === tail) this.tails.delete(channel);
    });
    return run;
  }

  history(channel: string, since?: StreamPosition): Promise<HistoryRead> {
    return this.reported('history', this.store.read(channel, since));
  }

  override publishControl(message: ControlMessage): Promise<number | undefined> {
    return this.reported('control', this.sendControl(encodeEnvelope(this.nodeId, message)));
  }

  override start(): Promise<void> {
    this.store.attach((event) => this.report(event));
    return this.store.start();
  }

  override close(): Promise<void> {
    return this.store.close();
  }

  override isReady(): boolean {
    return this.store.isReady();
  }

  /**
   * The subclass hands here every envelope its bus delivers: from the topic of `channel`, or
   * from the control topic (`channel` undefined). Malformed envelopes are dropped.
   */
  protected receive(channel: string | undefined, envelope: string): void {
    const decoded = decodeEnvelope(channel, envelope);
    if (decoded) this.onMessage(decoded.message, decoded.node);
  }
}
