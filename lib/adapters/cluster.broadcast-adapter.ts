import { randomUUID } from 'node:crypto';
import type { PushFrame } from '../protocol/frames.js';
import { decodePush, encodePush } from '../redis/push.envelope.js';
import { BroadcastAdapter } from './broadcast.adapter.js';
import type { ControlMessage } from './control.message.js';

/**
 * The base of adapters that carry pushes through a broker. It owns the envelope (which node
 * sent what), and a subclass only publishes and subscribes.
 *
 * Pushes come back from the broker to the node that published them, and are delivered to its
 * own subscribers from there: the broker's order is then the only order, so a channel's
 * pushes reach every subscriber in offset order whichever node published them. Control
 * messages are acted on where they start, and their echo is dropped.
 *
 * @example
 * class MyBrokerAdapter extends ClusterBroadcastAdapter {
 *   protected send(channel: string, message: string) { return broker.publish(channel, message); }
 *   protected sendControl(message: string) { return broker.publish('control', message); }
 *   protected onChannelActive(channel: string) { return broker.subscribe(channel); }
 *   protected onChannelIdle(channel: string) { return broker.unsubscribe(channel); }
 * }
 */
export abstract class ClusterBroadcastAdapter extends BroadcastAdapter {
  /** This node's id, in every envelope it sends. @default a random UUID */
  override readonly nodeId: string = randomUUID();
  /** Publishes that failed since start (each also rejected its caller). @default 0 */
  publishFailures = 0;

  async publish(push: PushFrame, except?: readonly string[]): Promise<void> {
    await this.counted(this.send(push.channel, encodePush(this.nodeId, push, except)));
  }

  override async publishControl(message: ControlMessage): Promise<void> {
    await this.sendControl(JSON.stringify({ n: this.nodeId, m: message }));
  }

  /** Publishes an encoded push on the broker channel of `channel`. */
  protected abstract send(channel: string, message: string): Promise<void>;

  /** Publishes an encoded control message to every node. */
  protected abstract sendControl(message: string): Promise<void>;

  /** The subclass hands every push message its broker delivers here. */
  protected receive(channel: string, message: string): void {
    const decoded = decodePush(channel, message);
    if (decoded) this.fanOut(decoded.push, decoded.except);
  }

  /** The subclass hands every control message its broker delivers here. */
  protected receiveControlMessage(message: string): void {
    let parsed: { n?: unknown; m?: ControlMessage };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    // This node acted on its own message when it sent it.
    if (parsed.n === this.nodeId || typeof parsed.m !== 'object' || parsed.m === null) return;
    this.receiveControl(parsed.m);
  }

  /** Counts a failed publish, and lets its error reach the caller. */
  protected async counted<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      this.publishFailures++;
      throw error;
    }
  }
}
