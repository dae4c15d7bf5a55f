import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BroadcastAdapter } from './brokers/broadcast.adapter.js';
import { ConnectionRegistry } from './connection/connection.registry.js';
import type { TransportName } from './connection/handshake.js';
import { HistoryStore } from './brokers/history.store.js';
import type { PushFrame } from './protocol/frames.js';
import type { NodeStats } from './connection/channels-event.types.js';
import { ChannelsEvents } from './connection/channels.events.js';

type FanOut = (push: PushFrame, except?: readonly string[]) => number;

/**
 * The node's state as the lifecycle events tell it: live connections by transport, whether
 * the app is shutting down, and the once-per-push delivery count. Health checks and
 * `ChannelsService`'s inspection read it; it is internal to the module.
 */
@Injectable()
export class ChannelsLifecycle implements OnModuleInit, OnModuleDestroy {
  /** This node's id in inspection answers: the adapter's node id, or random per process start. */
  readonly node: string;
  private readonly connections: Record<TransportName, number> = { websocket: 0, sse: 0 };
  // SSE subscribers per channel, so a push's delivery count splits by transport without a
  // look at each delivery.
  private readonly sseSubscribers = new Map<string, number>();
  private stopping = false;

  constructor(
    private readonly events: ChannelsEvents,
    private readonly adapter: BroadcastAdapter,
    private readonly registry: ConnectionRegistry,
    private readonly history: HistoryStore,
  ) {
    this.node = adapter.nodeId ?? randomUUID();
    events.on('connection.opened', ({ transport }) => this.connections[transport]++);
    events.on('connection.closed', ({ transport }) => this.connections[transport]--);
    events.on('subscription.added', ({ connection, channel }) => {
      if (connection.transport === 'sse') this.countSse(channel, 1);
    });
    events.on('subscription.removed', ({ connection, channel }) => {
      if (connection.transport === 'sse') this.countSse(channel, -1);
    });
  }

  /** Whether the application has begun to shut down (health checks then answer down). */
  get shuttingDown(): boolean {
    return this.stopping;
  }

  onModuleInit(): void {
    this.adapter.attach({
      report: (event) => this.events.emit(event),
      stats: () => this.nodeStats(),
    });
    this.history.attach((event) => this.events.emit(event));
    this.meterFanOut();
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
      subscriptions: this.adapter.localSubscriberCount(),
      channels: this.adapter.localChannels().length,
    };
  }

  // The fan-out (every adapter's, local or from a broker) returns how many connections it wrote
  // to; that is reported once per push, and only when someone listens. The fan-out itself is
  // untouched: this wraps the instance's method.
  private meterFanOut(): void {
    const target = this.adapter as unknown as { fanOut: FanOut };
    const fanOut = target.fanOut;
    target.fanOut = (push, except) => {
      const delivered = fanOut.call(this.adapter, push, except);
      if (delivered > 0 && this.events.listening('push.delivered')) {
        const sse = this.sseDelivered(push.channel, except, delivered);
        this.events.emit({ type: 'push.delivered', push, delivered, sse });
      }
      return delivered;
    };
  }

  private sseDelivered(
    channel: string,
    except: readonly string[] | undefined,
    delivered: number,
  ): number {
    let sse = this.sseSubscribers.get(channel) ?? 0;
    for (const id of except ?? []) {
      const skipped = this.registry.get(id);
      if (skipped?.transport === 'sse' && skipped.subscriptions.has(channel)) sse--;
    }
    return Math.max(0, Math.min(sse, delivered));
  }

  private countSse(channel: string, delta: number): void {
    const count = (this.sseSubscribers.get(channel) ?? 0) + delta;
    if (count > 0) this.sseSubscribers.set(channel, count);
    else this.sseSubscribers.delete(channel);
  }
}
