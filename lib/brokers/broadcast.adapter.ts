import { Logger } from '@nestjs/common';
import type { Connection } from '../connection/connection.js';
import { encodePush } from '../protocol/push.encoder.js';
import type { HistoryStore } from './history.store.js';
import type { PushFrame } from '../protocol/frames.js';
import { ChannelActivityQueue } from './channel-activity.queue.js';
import type { ControlMessage } from './control.message.js';
import type { AdapterHost, BrokerEvent, NodeStats } from '../connection/channels-event.types.js';

/**
 * The only seam between nodes. The hub hands every push to {@link publish}; an adapter makes
 * it reach every node (this one included), and each node writes it to its own subscribers
 * with {@link fanOut}. This base class owns the local subscriptions and the fan-out: a push is
 * serialized once and the same bytes are written to every subscriber.
 *
 * Supply one with the module's `adapter` option (an instance or a factory), or `redis`:
 * @example
 * ChannelsModule.forRoot({ adapter: () => new MyBrokerAdapter() })
 */
export abstract class BroadcastAdapter {
  /**
   * This node's id among the nodes that share the broker; `undefined` for an adapter that
   * serves one node (control messages then go nowhere).
   * @default undefined
   */
  readonly nodeId: string | undefined = undefined;
  /** Failed broker unsubscribes since start (each is also logged). @default 0 */
  deactivationFailures = 0;
  protected readonly logger = new Logger('Channels');
  private readonly local = new ChannelActivityQueue<Connection>(
    (channel) => this.onChannelActive(channel),
    (channel) => this.onChannelIdle(channel),
    (error, channel) => this.onDeactivateError(error, channel),
  );
  private controlListener?: (message: ControlMessage) => void;
  /** Where broker events go and this node's counts (set by the module when it starts). */
  protected host?: AdapterHost;

  /**
   * Delivers `push` to the subscribers of `push.channel` on every node, except the
   * connections whose ids are in `except`. Resolves once the push has left this node; rejects
   * when it could not (a broker error), and nothing was delivered.
   */
  abstract publish(push: PushFrame, except?: readonly string[]): Promise<void>;

  /**
   * Connects to the broker. The module awaits it before the app listens; a failure stops the
   * app from starting.
   */
  async start(): Promise<void> {}

  /** Whether the adapter can publish now (its broker is connected). @default true */
  isReady(): boolean {
    return true;
  }

  /** Releases broker resources (called on application shutdown, after connections closed). */
  async close(): Promise<void> {}

  /**
   * Sends a control message to every other node (`disconnect` of a principal, a command for
   * an SSE stream on another node); this node acts on it itself. One node: nothing to send.
   */
  async publishControl(_message: ControlMessage): Promise<void> {}

  /**
   * Sequences a new push in `history` and publishes it. A cluster adapter whose broker also
   * keeps the history does both in one atomic step, so every node sees a channel's pushes in
   * offset order.
   * @returns the push with its offset and epoch
   */
  async publishNew(
    history: HistoryStore,
    channel: string,
    event: string,
    data: unknown,
    except?: readonly string[],
  ): Promise<PushFrame> {
    const push = await history.append(channel, event, data);
    await this.publish(push, except);
    return push;
  }

  /** @internal The module's handler of control messages (one per adapter). */
  setControlListener(listener: (message: ControlMessage) => void): void {
    this.controlListener = listener;
  }

  /**
   * Adds a local subscriber, and resolves once this node receives the channel's pushes. The
   * first subscriber of a channel calls {@link onChannelActive}; those arriving meanwhile wait
   * on the same call, and all are refused when it fails.
   */
  addLocal(channel: string, connection: Connection): Promise<void> {
    return this.local.add(channel, connection);
  }

  /**
   * Removes a local subscriber; the channel's last one calls {@link onChannelIdle}, after
   * any activation of it still in flight. A failure of it goes to {@link onDeactivateError}.
   */
  removeLocal(channel: string, connection: Connection): void {
    this.local.remove(channel, connection);
  }

  /** Local subscribers of one channel, or of all channels together. */
  localSubscriberCount(channel?: string): number {
    if (channel !== undefined) return this.local.subscribers(channel)?.size ?? 0;
    let total = 0;
    for (const entry of this.local.all()) total += entry.subscribers.size;
    return total;
  }

  /** Channels with at least one subscriber on this node. */
  localChannels(): string[] {
    return [...this.local.channels()];
  }

  /** Resolves once every broker subscribe and unsubscribe asked for so far has settled. */
  settled(): Promise<void> {
    return this.local.settled();
  }

  /**
   * Writes a push to this node's subscribers of its channel. Serializes and frames it once.
   * @returns how many connections it was written to
   */
  protected fanOut(push: PushFrame, except?: readonly string[]): number {
    const subscribers = this.local.subscribers(push.channel);
    if (!subscribers) return 0;
    // One JSON text and one WebSocket frame for every subscriber; nothing is allocated per
    // subscriber (the transports gather the writes and flush once per event-loop turn).
    const encoded = encodePush(push);
    const skip = except && except.length > 8 ? new Set(except) : undefined;
    let written = 0;
    for (const connection of subscribers) {
      if (
        except &&
        except.length > 0 &&
        (skip?.has(connection.id) ?? except.includes(connection.id))
      )
        continue;
      connection.deliver(encoded);
      written++;
    }
    return written;
  }

  /** Hands a control message that reached this node to the module. */
  protected receiveControl(message: ControlMessage): void {
    this.controlListener?.(message);
  }

  /**
   * Writes a frame that is not history (a `presence.join` / `presence.leave`: no offset, never
   * replayed) to this node's subscribers of its channel. Serializes it once.
   * @returns how many connections it was written to
   */
  fanOutTransient(frame: { channel: string; event: string; data: unknown }): number {
    const subscribers = this.local.subscribers(frame.channel);
    if (!subscribers) return 0;
    const json = JSON.stringify(frame);
    for (const connection of subscribers) connection.deliverTransient(frame.event, json);
    return subscribers.size;
  }

  /** Called when a channel gets its first local subscriber: a cluster adapter subscribes to its broker here. */
  protected onChannelActive(_channel: string): Promise<void> | void {}

  /** Called when a channel loses its last local subscriber: a cluster adapter unsubscribes here. */
  protected onChannelIdle(_channel: string): Promise<void> | void {}

  /**
   * A broker unsubscribe failed: the node may still receive the channel's pushes (and drops
   * them, having no subscriber). Counted and logged; override to report it elsewhere.
   */
  protected onDeactivateError(error: unknown, channel: string): void {
    this.deactivationFailures++;
    this.logger.error(
      `Could not unsubscribe from channel "${channel}" at the broker: ${String(error)}`,
    );
  }

  /** @internal The module hands the adapter where its broker events go and this node's counts. */
  attach(host: AdapterHost): void {
    this.host = host;
  }

  /**
   * Whether the broker is reachable, for the health check (`ChannelsHealthIndicator`). A
   * cluster adapter answers with a ping; it should settle quickly (the check times out).
   * @default true (no broker)
   */
  async healthy(): Promise<boolean> {
    return true;
  }

  /**
   * Every node's counts, for `ChannelsService.clusterStats()`. A cluster adapter asks the
   * other nodes, each answering with its own `AdapterHost.stats()`.
   * @default this node's counts only
   */
  async nodeStats(): Promise<NodeStats[]> {
    return this.host ? [this.host.stats()] : [];
  }

  /**
   * Reports a broker event (`broker.error`, `broker.roundtrip`) to the lifecycle stream.
   * @example this.report({ type: 'broker.error', operation: 'publish', error });
   */
  protected report(event: BrokerEvent): void {
    this.host?.report(event);
  }
}
