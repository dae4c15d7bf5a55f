import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Broker } from './brokers/broker.js';
import type { StatsRequestControl, StatsResultControl } from './brokers/broker.message.js';
import type { NodeStats } from './connection/channels-event.types.js';
import { ChannelsEvents } from './connection/channels.events.js';
import type { TransportName } from './connection/handshake.js';
import { NodeStatsGatherer, STATS_TIMEOUT_MS } from './hub/node-stats.gatherer.js';
import { SubscriptionTable } from './hub/subscription.table.js';

/**
 * The node's state as the lifecycle events tell it: live connections by transport and whether
 * the app is shutting down; subscriptions are read from the subscription table. Health checks
 * and `ChannelsService`'s inspection read it; it is internal to the module.
 */
@Injectable()
export class ChannelsLifecycle implements OnModuleDestroy {
  /** How long {@link clusterStats} waits for the other nodes, in milliseconds. @default 500 */
  statsTimeoutMs = STATS_TIMEOUT_MS;
  private readonly connections: Record<TransportName, number> = { websocket: 0, sse: 0 };
  private readonly gatherer = new NodeStatsGatherer();
  private stopping = false;

  constructor(
    private readonly events: ChannelsEvents,
    private readonly broker: Broker,
    private readonly table: SubscriptionTable,
  ) {
    events.on('connection.opened', ({ transport }) => this.connections[transport]++);
    events.on('connection.closed', ({ transport }) => this.connections[transport]--);
  }

  /** This node's id in inspection answers: the broker's. */
  get node(): string {
    return this.broker.nodeId;
  }

  /** Whether the application has begun to shut down (health checks then answer down). */
  get shuttingDown(): boolean {
    return this.stopping;
  }

  // Nest runs every onModuleDestroy before any beforeApplicationShutdown, where the transports
  // begin to close connections: the node reports down before the first one closes.
  onModuleDestroy(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.events.emit({ type: 'shutdown.started' });
  }

  /** This node's counts. */
  nodeStats(): NodeStats {
    return {
      node: this.node,
      connections: { ...this.connections },
      subscriptions: this.table.subscriberCount(),
      channels: this.table.channels().length,
    };
  }

  /**
   * This node's counts and those of every node that answered within {@link statsTimeoutMs}
   * (it stops waiting once every node the broker delivered the request to has answered).
   */
  async clusterStats(): Promise<NodeStats[]> {
    const own = this.nodeStats();
    if (!this.broker.distributed) return [own];
    const others = await this.gatherer.gather(
      this.node,
      async (request) => {
        const received = await this.broker.publishControl(request);
        // The broker counts this node's own subscription too.
        return typeof received === 'number' ? Math.max(0, received - 1) : undefined;
      },
      this.statsTimeoutMs,
    );
    return [own, ...others];
  }

  /** Another node asked for every node's counts: answer with this node's. */
  answerStats(request: StatsRequestControl): void {
    const answer: StatsResultControl = {
      type: 'stats-result',
      requestId: request.requestId,
      to: request.replyTo,
      stats: this.nodeStats(),
    };
    // The asking node leaves out a node that cannot answer; the broker reports the failure.
    this.broker.publishControl(answer).catch(() => undefined);
  }

  /** A node answered a stats request of this node. */
  statsAnswered(result: StatsResultControl): void {
    if (result.to === this.node) this.gatherer.answer(result);
  }
}
