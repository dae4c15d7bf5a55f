import type { Connection, EncodedPush } from '../connection/connection.js';
import type { PushFrame } from '../protocol/frames.js';
import type { AdapterHost, BrokerEvent, NodeStats } from '../events/channels-event.types.js';

/**
 * The only seam between nodes. The hub hands every push to {@link publish}; an adapter makes
 * it reach every node (this one included), and each node writes it to its own subscribers
 * with {@link fanOut}. This base class owns the local subscriptions and the fan-out: a push is
 * serialized once and the same bytes are written to every subscriber.
 *
 * Provide a subclass under this class as the token to replace the in-memory default:
 * @example
 * ChannelsModule.forRoot({}), { provide: BroadcastAdapter, useClass: MyBrokerAdapter }
 */
export abstract class BroadcastAdapter {
  private readonly local = new Map<string, Set<Connection>>();
  private host?: AdapterHost;

  /**
   * Delivers `push` to the subscribers of `push.channel` on every node, except the
   * connections whose ids are in `except`. Resolves once the push has left this node.
   */
  abstract publish(push: PushFrame, except?: readonly string[]): Promise<void>;

  /** Adds a local subscriber; the channel's first one calls {@link onChannelActive}. */
  async addLocal(channel: string, connection: Connection): Promise<void> {
    let subscribers = this.local.get(channel);
    if (!subscribers) {
      subscribers = new Set();
      this.local.set(channel, subscribers);
      try {
        await this.onChannelActive(channel);
      } catch (error) {
        // Forget the channel, so the next subscriber asks the broker again.
        if (subscribers.size === 0 && this.local.get(channel) === subscribers)
          this.local.delete(channel);
        throw error;
      }
    }
    subscribers.add(connection);
  }

  /** Removes a local subscriber; the channel's last one calls {@link onChannelIdle}. */
  removeLocal(channel: string, connection: Connection): void {
    const subscribers = this.local.get(channel);
    if (!subscribers?.delete(connection) || subscribers.size > 0) return;
    this.local.delete(channel);
    void Promise.resolve(this.onChannelIdle(channel)).catch(() => undefined);
  }

  /** Local subscribers of one channel, or of all channels together. */
  localSubscriberCount(channel?: string): number {
    if (channel !== undefined) return this.local.get(channel)?.size ?? 0;
    let total = 0;
    for (const subscribers of this.local.values()) total += subscribers.size;
    return total;
  }

  /** Channels with at least one subscriber on this node. */
  localChannels(): string[] {
    return [...this.local.keys()];
  }

  /** Releases broker resources (called on application shutdown). */
  async close(): Promise<void> {}

  /**
   * Writes a push to this node's subscribers of its channel. Serializes it once.
   * @returns how many connections it was written to
   */
  protected fanOut(push: PushFrame, except?: readonly string[]): number {
    const subscribers = this.local.get(push.channel);
    if (!subscribers) return 0;
    const json = JSON.stringify(push);
    const encoded: EncodedPush = { frame: push, json, bytes: Buffer.from(json) };
    const skip = except && except.length > 0 ? new Set(except) : undefined;
    let written = 0;
    for (const connection of subscribers) {
      if (skip?.has(connection.id)) continue;
      connection.deliver(encoded);
      written++;
    }
    return written;
  }

  /** Called when a channel gets its first local subscriber: a cluster adapter subscribes to its broker here. */
  protected onChannelActive(_channel: string): Promise<void> | void {}

  /** Called when a channel loses its last local subscriber: a cluster adapter unsubscribes here. */
  protected onChannelIdle(_channel: string): Promise<void> | void {}

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
