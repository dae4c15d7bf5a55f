import { Injectable } from '@nestjs/common';
import { Disconnector } from './hub/disconnector.js';
import { SubscriptionTable } from './hub/subscription.table.js';
import type { Connection } from './connection/connection.js';
import { ConnectionRegistry } from './connection/connection.registry.js';
import type { ChannelRef, PushMap } from './contract/channel.definition.js';
import { ChannelHub, type PublishOptions } from './hub/channel.hub.js';
import { CloseCode, type PushFrame } from './protocol/frames.js';
import { PresenceTracker } from './presence/presence.tracker.js';
import type { PresenceReply } from './protocol/presence.types.js';
import type { NodeStats } from './connection/channels-event.types.js';
import { ChannelsLifecycle } from './channels.lifecycle.js';

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
    private readonly table: SubscriptionTable,
    private readonly disconnector: Disconnector,
    private readonly presenceTracker: PresenceTracker,
    private readonly lifecycle: ChannelsLifecycle,
  ) {}

  /**
   * Publishes `data` as event `event` on `channel`, to every subscriber on every node except
   * the connections in `options.except`. The push is recorded in history first. The in-memory
   * history keeps `data` as given (it is serialized only when written to a connection): do not
   * mutate it after publishing, or later replays show the change.
   * Given a channel of a `defineChannel` definition (`userChannel.to({ userId })`), the event
   * must be one of its declared pushes and `data` that push's type: a compile error otherwise.
   * @returns the push as subscribers receive it, with its offset and epoch
   * @throws ChannelsException `BAD_REQUEST` for an invalid channel or event name;
   *   `UNAVAILABLE` (503, `retryAfterMs`) while the broker cannot be reached (Redis away):
   *   nothing was published, try again later. From a channel handler the client gets it as its
   *   answer (the client SDK retries); in an HTTP controller, `ChannelsHttpExceptionFilter`
   *   answers it as a 503 with `Retry-After`.
   * @example await channels.publish(userChannel.to({ userId: 'alice' }), 'notification', n);
   */
  publish<P extends PushMap, E extends keyof P & string>(
    channel: ChannelRef<P>,
    event: E,
    data: P[E],
    options?: PublishOptions,
  ): Promise<PushFrame<P[E]>>;
  publish<T>(
    channel: string,
    event: string,
    data: T,
    options?: PublishOptions,
  ): Promise<PushFrame<T>>;
  publish<T>(
    channel: string | ChannelRef,
    event: string,
    data: T,
    options?: PublishOptions,
  ): Promise<PushFrame<T>> {
    const name = typeof channel === 'string' ? channel : channel.name;
    return this.hub.publish(name, event, data, options) as Promise<PushFrame<T>>;
  }

  /**
   * Closes connections on every node: one by id, or every one of a principal (matched with
   * the `principalKey` option). Those on this node close at once; the other nodes are told
   * through the broker (a failure to tell them is logged).
   * @param code the close code the client sees @default 1000
   * @returns how many connections were closed on this node
   */
  disconnect(target: DisconnectTarget, code: number = CloseCode.NORMAL, reason = ''): number {
    if ('connectionId' in target) {
      return this.disconnector.disconnect({
        type: 'disconnect',
        connectionId: target.connectionId,
        code,
        reason,
      });
    }
    const principalKey = this.connections.keyOf(target.principal);
    if (principalKey === undefined) return 0;
    return this.disconnector.disconnect({ type: 'disconnect', principalKey, code, reason });
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
    return this.table.subscriberCount(channel);
  }

  /**
   * Who is in a channel whose `@OnJoin` enables presence, on every node: one member per
   * principal, with its connection count and the `info` it shares.
   * @example const { members } = await channels.presence('room:lobby');
   * @throws ChannelsException `BAD_REQUEST` when the channel has no presence; `UNAVAILABLE`
   *   while the presence store cannot be reached
   */
  presence(channel: string): Promise<PresenceReply> {
    return this.presenceTracker.presence(channel);
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
   * Every node's counts: with a shared broker (Redis) each node answers for itself; with the
   * in-memory broker, this node only.
   * @example const total = (await channels.clusterStats()).reduce((n, s) => n + s.subscriptions, 0);
   */
  clusterStats(): Promise<NodeStats[]> {
    return this.lifecycle.clusterStats();
  }

  /** The channels with at least one subscriber on this node. */
  activeChannels(): string[] {
    return this.table.channels();
  }
}
