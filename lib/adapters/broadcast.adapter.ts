import type { Connection } from '../connection/connection.js';
import { encodePush } from '../connection/push.encoder.js';
import type { PushFrame } from '../protocol/frames.js';

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
   * Writes a push to this node's subscribers of its channel. Serializes and frames it once.
   * @returns how many connections it was written to
   */
  protected fanOut(push: PushFrame, except?: readonly string[]): number {
    const subscribers = this.local.get(push.channel);
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

  /** Called when a channel gets its first local subscriber: a cluster adapter subscribes to its broker here. */
  protected onChannelActive(_channel: string): Promise<void> | void {}

  /** Called when a channel loses its last local subscriber: a cluster adapter unsubscribes here. */
  protected onChannelIdle(_channel: string): Promise<void> | void {}
}
