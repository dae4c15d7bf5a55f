import { randomUUID } from 'node:crypto';
import type { BrokerEvent } from '../connection/channels-event.types.js';
import type { PushFrame, StreamPosition } from '../protocol/frames.js';
import type { BrokerMessage, ControlMessage, TraceCarrier } from './broker.message.js';
import type { HistoryRead } from './history.store.js';

/**
 * Where a broker hands what it receives, and where it reports its errors.
 * @example broker.listen((message, from) => dispatch(message), (event) => events.emit(event));
 */
export type BrokerReceiver = (message: BrokerMessage, from: string) => void;

/**
 * The only seam between nodes (the model: centrifuge's `Broker`, socket.io's cluster adapter).
 * A broker sequences every push, keeps the channels' history, and carries pushes and control
 * messages to every node; the module keeps the local subscribers and writes to them.
 *
 * What an implementation promises:
 * - {@link publish} assigns the channel's next offset (previous plus one, in the channel's
 *   epoch), keeps the push in history and delivers it to every node that subscribed to the
 *   channel, this one included, as one step that is atomic per channel: every node receives a
 *   channel's pushes in offset order. It resolves with the push once it has left this node, and
 *   rejects (nothing delivered, nothing kept) when it could not.
 * - {@link history} answers the channel's latest position and, with `since`, every push after
 *   it, or `missed: undefined` when it no longer holds all of them.
 * - {@link subscribe} / {@link unsubscribe} start and stop delivering a channel's pushes to this
 *   node; the module calls them lazily (first and last local subscriber), one call in flight per
 *   channel.
 * - Everything received goes to {@link onMessage}, once; a node's own control messages may come
 *   back (they are dropped there).
 * - A broker that cannot reach its backend says so in {@link isReady}: the module then answers
 *   commands that need it with `UNAVAILABLE`, not an internal error.
 *
 * `InMemoryBroker` is the embedded default; `RedisBroker` spans nodes; `PubSubBroker` is the
 * base for a broker over a plain pub/sub bus (docs/broker.md). Replace it with
 * `stores: { broker }`, `forRoot({ providers: [{ provide: Broker, useClass }] })` or
 * `overrideProvider(Broker)`.
 *
 * @example
 * ChannelsModule.forRoot({ stores: { broker: () => new MyBusBroker(bus, new InMemoryHistoryStore()) } })
 */
export abstract class Broker {
  /** This node's id among the nodes that share the broker. @default a random UUID */
  readonly nodeId: string = randomUUID();
  /**
   * Whether other nodes may share this broker: control messages (a disconnect everywhere, a
   * command for an SSE stream on another node) are sent only then.
   * @default false
   */
  readonly distributed: boolean = false;
  private receiver?: BrokerReceiver;
  private reporter?: (event: BrokerEvent) => void;

  /**
   * Sequences, keeps and delivers a push (see the class). `except`: connection ids that must
   * not receive it. `trace`: the publisher's trace context (only when tracing is on), to be
   * handed to {@link onMessage} with the push on every node (`PushMessage.trace`); a broker
   * that drops it only loses the link between a publish and its deliveries in the traces.
   * @returns the push with its offset and epoch
   */
  abstract publish(
    channel: string,
    event: string,
    data: unknown,
    except?: readonly string[],
    trace?: TraceCarrier,
  ): Promise<PushFrame>;

  /** The channel's latest position and, with `since`, what came after it. */
  abstract history(channel: string, since?: StreamPosition): Promise<HistoryRead>;

  /** Starts delivering the channel's pushes to this node. @default nothing to do */
  async subscribe(_channel: string): Promise<void> {}

  /** Stops delivering the channel's pushes to this node. @default nothing to do */
  async unsubscribe(_channel: string): Promise<void> {}

  /**
   * Sends a control message to every other node (this node acts on its own at once).
   * @returns how many nodes received it, this one included, when the broker can tell
   *   (`ChannelsService.clusterStats()` then stops waiting early)
   * @default one node: sends nothing
   */
  async publishControl(_message: ControlMessage): Promise<number | undefined> {
    return undefined;
  }

  /** Connects to the backend; the module awaits it before the app listens. */
  async start(): Promise<void> {}

  /** Releases the backend (on application shutdown, after every connection closed). */
  async close(): Promise<void> {}

  /**
   * Whether the broker can serve now (its backend is connected). While it is false the module
   * answers commands that need the broker with the retryable `UNAVAILABLE` without calling it,
   * and a call that failed once it turned false is answered the same way.
   * @default true
   */
  isReady(): boolean {
    return true;
  }

  /**
   * Whether the backend answers, for the health check; should settle quickly.
   * @default isReady()
   */
  async healthy(): Promise<boolean> {
    return this.isReady();
  }

  /**
   * @internal The module's one dispatcher, and where broker events (`broker.error`,
   * `broker.roundtrip`) go.
   */
  listen(receiver: BrokerReceiver, report: (event: BrokerEvent) => void): void {
    this.receiver = receiver;
    this.reporter = report;
  }

  /**
   * An implementation hands here every message its backend delivers, with the node that sent
   * it. A node's own control messages are dropped (it acted on them when it sent them); its
   * own pushes are delivered, and their round trip is reported.
   */
  protected onMessage(message: BrokerMessage, from: string): void {
    if (from === this.nodeId) {
      if (message.type !== 'push') return;
      if (message.sentAt !== undefined)
        this.report({ type: 'broker.roundtrip', durationMs: performance.now() - message.sentAt });
    }
    this.receiver?.(message, from);
  }

  /**
   * Reports a broker event to the lifecycle stream (metrics count `broker.error`s).
   * @example this.report({ type: 'broker.error', operation: 'publish', error });
   */
  protected report(event: BrokerEvent): void {
    this.reporter?.(event);
  }

  /** Reports a failed operation as a `broker.error`, and lets its error reach the caller. */
  protected async reported<T>(operation: string, work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      this.report({ type: 'broker.error', operation, error });
      throw error;
    }
  }
}
