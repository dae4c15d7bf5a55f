import { Injectable } from '@nestjs/common';
import { BroadcastAdapter } from './adapters/broadcast.adapter.js';
import type { Connection } from './connection/connection.js';
import { ConnectionRegistry } from './connection/connection.registry.js';
import { ChannelHub, type PublishOptions } from './core/channel.hub.js';
import { CloseCode, type PushFrame } from './protocol/frames.js';
import type { NodeStats } from './events/channels-event.types.js';
import { ChannelsLifecycle } from './events/channels.lifecycle.js';

/**
 * Who {@link ChannelsService.disconnect} closes: one connection, or every connection of a
 * principal (matched with the `principalKey` option).
 * @example channels.disconnect({ principal: { id: 'alice' } }, CloseCode.FORBIDDEN, 'banned');
 */
export type DisconnectTarget = { connectionId: string } | { principal: unknown };

/**
 * Publishing and connection management, injectable anywhere in the app.
 *
 * @example
 * constructor(private readonly channels: ChannelsService) {}
 * notify(userId: string, n: Notification) {
 *   return this.channels.publish(`user:${userId}`, 'notification', n);
 * }
 */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly hub: ChannelHub,
    private readonly connections: ConnectionRegistry,
    private readonly adapter: BroadcastAdapter,
    private readonly lifecycle: ChannelsLifecycle,
  ) {}

  /**
   * Publishes `data` as event `event` on `channel`, to every subscriber on every node except
   * the connections in `options.except`. The push is recorded in history first. The in-memory
   * history keeps `data` as given (it is serialized only when written to a connection): do not
   * mutate it after publishing, or later replays show the change.
   * @returns the push as subscribers receive it, with its offset and epoch
   * @throws ChannelsException `BAD_REQUEST` for an invalid channel or event name
   */
  publish<T>(
    channel: string,
    event: string,
    data: T,
    options?: PublishOptions,
  ): Promise<PushFrame<T>> {
    return this.hub.publish(channel, event, data, options) as Promise<PushFrame<T>>;
  }

  /**
   * Closes connections on this node: one by id, or every one of a principal (matched with
   * the `principalKey` option).
   * @param code the close code the client sees @default 1000
   * @returns how many connections were closed
   */
  disconnect(target: DisconnectTarget, code: number = CloseCode.NORMAL, reason = ''): number {
    const found = this.find(target);
    for (const connection of found) connection.close(code, reason);
    return found.length;
  }

  /** The live connection with this id on this node. */
  getConnection(connectionId: string): Connection | undefined {
    return this.connections.get(connectionId);
  }

  /** Live connections on this node. */
  connectionCount(): number {
    return this.connections.size;
  }

  /** Subscriptions on this node: to one channel, or to all channels together. */
  subscriptionCount(channel?: string): number {
    return this.adapter.localSubscriberCount(channel);
  }

  /**
   * This node's counts: live connections by transport, subscriptions, channels with
   * subscribers. For an admin endpoint; Prometheus reads the same through the metrics module.
   * @example channels.nodeStats() // { node: '…', connections: { websocket: 2, sse: 1 }, subscriptions: 5, channels: 3 }
   */
  nodeStats(): NodeStats {
    return this.lifecycle.nodeStats();
  }

  /**
   * Every node's counts: with a cluster adapter (Redis) each node answers for itself; with the
   * in-memory adapter, this node only.
   * @example const total = (await channels.clusterStats()).reduce((n, s) => n + s.subscriptions, 0);
   */
  clusterStats(): Promise<NodeStats[]> {
    return this.adapter.nodeStats();
  }

  /** The channels with at least one subscriber on this node. */
  activeChannels(): string[] {
    return this.adapter.localChannels();
  }

  private find(target: DisconnectTarget): Connection[] {
    if ('connectionId' in target) {
      const connection = this.connections.get(target.connectionId);
      return connection ? [connection] : [];
    }
    const key = this.connections.keyOf(target.principal);
    return key === undefined ? [] : this.connections.ofPrincipal(key);
  }
}
