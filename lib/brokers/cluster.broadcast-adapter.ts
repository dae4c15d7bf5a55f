import { randomUUID } from 'node:crypto';
import type { NodeStats } from '../connection/channels-event.types.js';
import type { PushFrame } from '../protocol/frames.js';
import { decodePush, encodePush } from './broker.envelope.js';
import { BroadcastAdapter } from './broadcast.adapter.js';
import type { ControlMessage } from './control.message.js';
import { NodeStatsGatherer, STATS_TIMEOUT_MS } from './node-stats.gatherer.js';

/**
 * The base of adapters that carry pushes through a broker. It owns the envelope (which node
 * sent what, and when), and a subclass only publishes and subscribes.
 *
 * Pushes come back from the broker to the node that published them, and are delivered to its
 * own subscribers from there: the broker's order is then the only order, so a channel's
 * pushes reach every subscriber in offset order whichever node published them. Control
 * messages are acted on where they start, and their echo is dropped.
 *
 * Observability: a failed publish, control message, subscribe or unsubscribe is reported as a
 * `broker.error`; a push that comes back to the node that published it is reported as a
 * `broker.roundtrip` (from the publish call to its arrival back, so it is measured only on a
 * node with subscribers of the channel); `nodeStats()` asks the other nodes for their counts.
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
  /** How long {@link nodeStats} waits for the other nodes, in milliseconds. @default 500 */
  statsTimeoutMs = STATS_TIMEOUT_MS;
  private readonly stats = new NodeStatsGatherer();

  async publish(push: PushFrame, except?: readonly string[]): Promise<void> {
    const message = encodePush(this.nodeId, push, except, performance.now());
    await this.counted(this.send(push.channel, message));
  }

  override async publishControl(message: ControlMessage): Promise<void> {
    await this.control(message);
  }

  /**
   * This node's counts and those of every node that answered within {@link statsTimeoutMs}
   * (it stops waiting once every node the broker delivered the request to has answered).
   */
  override async nodeStats(): Promise<NodeStats[]> {
    const own = await super.nodeStats();
    const others = await this.stats.gather(
      this.nodeId,
      async (request) => {
        const received = await this.control(request);
        // The broker counts this node's own subscription too.
        return typeof received === 'number' ? Math.max(0, received - 1) : undefined;
      },
      this.statsTimeoutMs,
    );
    return [...own, ...others];
  }

  /**
   * Publishes an encoded push on the broker channel of `channel`.
   * @returns may resolve with how many nodes received it
   */
  protected abstract send(channel: string, message: string): Promise<number | void>;

  /**
   * Publishes an encoded control message to every node.
   * @returns how many nodes received it (this one included) when the broker says, for
   *   {@link nodeStats} to stop waiting early
   */
  protected abstract sendControl(message: string): Promise<number | void>;

  /** The subclass hands every push message its broker delivers here. */
  protected receive(channel: string, message: string): void {
    const decoded = decodePush(channel, message);
    if (!decoded) return;
    if (decoded.node === this.nodeId && decoded.sentAt !== undefined)
      this.report({ type: 'broker.roundtrip', durationMs: performance.now() - decoded.sentAt });
    this.fanOut(decoded.push, decoded.except);
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
    const control = parsed.m;
    if (control.type === 'stats') return this.answerStats(control.requestId, control.replyTo);
    if (control.type === 'stats-result') {
      if (control.to === this.nodeId) this.stats.answer(control);
      return;
    }
    this.receiveControl(control);
  }

  /** Counts and reports a failed publish, and lets its error reach the caller. */
  protected async counted<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      this.publishFailures++;
      this.report({ type: 'broker.error', operation: 'publish', error });
      throw error;
    }
  }

  /** Reports a failed subscribe, and lets its error refuse the subscribers. */
  protected async reported<T>(operation: string, work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      this.report({ type: 'broker.error', operation, error });
      throw error;
    }
  }

  protected override onDeactivateError(error: unknown, channel: string): void {
    super.onDeactivateError(error, channel);
    this.report({ type: 'broker.error', operation: 'unsubscribe', error });
  }

  private control(message: ControlMessage): Promise<number | void> {
    return this.reported(
      'control',
      this.sendControl(JSON.stringify({ n: this.nodeId, m: message })),
    );
  }

  private answerStats(requestId: string, replyTo: string): void {
    if (!this.host) return;
    const answer: ControlMessage = {
      type: 'stats-result',
      requestId,
      to: replyTo,
      stats: this.host.stats(),
    };
    // The asking node leaves out a node that cannot answer; the failure is reported.
    this.control(answer).catch(() => undefined);
  }
}
