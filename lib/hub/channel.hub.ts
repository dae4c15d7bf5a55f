import { Inject, Injectable } from '@nestjs/common';
import { BroadcastAdapter } from '../brokers/broadcast.adapter.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import type { Connection } from '../connection/connection.js';
import { ConnectionRegistry } from '../connection/connection.registry.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { HistoryStore } from '../brokers/history.store.js';
import { PresenceTracker } from '../presence/presence.tracker.js';
import {
  ErrorCode,
  type PushFrame,
  type StreamPosition,
  type SubscribeReply,
} from '../protocol/frames.js';
import { assertChannelName } from '../protocol/channel-name.js';
import { ChannelsEvents } from '../connection/channels.events.js';

/**
 * Options of a publish (`ChannelsService.publish`).
 * @example await channels.publish('room:lobby', 'message', msg, { except: client.id });
 */
export interface PublishOptions {
  /** Connection ids that must not receive this push (the sender, typically). */
  except?: string | readonly string[];
}

/**
 * Subscriptions and publishing: sequences every push through the history store, hands it to
 * the broadcast adapter, and keeps a subscribe's replay and the live pushes in order.
 */
@Injectable()
export class ChannelHub {
  constructor(
    private readonly adapter: BroadcastAdapter,
    private readonly history: HistoryStore,
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
    private readonly connections: ConnectionRegistry,
    private readonly presence: PresenceTracker,
    private readonly events: ChannelsEvents,
  ) {}

  /**
   * Registers a connection whose handshake passed, for either transport: it joins the
   * registry (and its caps), and its subscriptions are dropped when it closes.
   * @throws ChannelsException when a cap refuses it (the caller closes it)
   */
  register(connection: Connection): void {
    this.connections.add(connection);
    connection.onClose(() => this.dropConnection(connection));
  }

  /** Records a push in history and sends it to every subscriber on every node. */
  async publish(
    channel: string,
    event: string,
    data: unknown,
    options: PublishOptions = {},
  ): Promise<PushFrame> {
    assertChannelName(channel);
    if (typeof event !== 'string' || event.length === 0) {
      throw new ChannelsException(ErrorCode.BAD_REQUEST, 'A push needs a non-empty event name.');
    }
    const except = typeof options.except === 'string' ? [options.except] : options.except;
    const push = await this.adapter.publishNew(this.history, channel, event, data ?? null, except);
    this.events.emit({ type: 'push.published', push });
    return push;
  }

  /**
   * Subscribes a connection (join authorization has already run). Pushes that arrive while
   * the history is read are held; call {@link goLive} once the reply has been written.
   */
  async subscribe(
    connection: Connection,
    channel: string,
    since?: StreamPosition,
  ): Promise<SubscribeReply> {
    const already = connection.subscriptions.has(channel);
    if (!already && connection.subscriptions.size >= this.settings.limits.maxSubscriptionsPerConnection) {
      throw new ChannelsException(
        ErrorCode.BAD_REQUEST,
        `A connection may hold at most ${this.settings.limits.maxSubscriptionsPerConnection} subscriptions.`,
      );
    }
    connection.hold(channel);
    connection.addSubscription(channel);
    if (!already) this.events.emit({ type: 'subscription.added', connection, channel });
    try {
      assertOpen(connection);
      await this.adapter.addLocal(channel, connection);
      const { position, missed } = await this.history.read(channel, since);
      // The connection may have closed during a wait: its close already dropped what it held,
      // so this subscription must not outlive it.
      assertOpen(connection);
      return {
        channel,
        offset: position.offset,
        epoch: position.epoch,
        recovered: since !== undefined && missed !== undefined,
        missed: missed ?? [],
      };
    } catch (error) {
      if (!already || connection.closed) this.unsubscribe(connection, channel);
      // Still subscribed from before: the held pushes are live ones it must not lose.
      else connection.release(channel, Number.NEGATIVE_INFINITY);
      throw error;
    }
  }

  /** Ends a subscribe: writes the pushes held since, those after `offset`, and goes live. */
  goLive(connection: Connection, reply: SubscribeReply): void {
    connection.completeSubscribe(reply);
    this.presence.connectionJoined(connection, reply.channel);
  }

  /** Removes one subscription. @returns whether the connection was subscribed. */
  unsubscribe(connection: Connection, channel: string): boolean {
    const was = connection.subscriptions.has(channel);
    connection.removeSubscription(channel);
    this.adapter.removeLocal(channel, connection);
    this.presence.connectionLeft(connection, channel);
    if (was) this.events.emit({ type: 'subscription.removed', connection, channel });
    return was;
  }

  /** Removes every subscription of a closing connection. */
  dropConnection(connection: Connection): void {
    for (const channel of [...connection.subscriptions]) this.unsubscribe(connection, channel);
  }
}

function assertOpen(connection: Connection): void {
  if (connection.closed) {
    throw new ChannelsException(
      ErrorCode.BAD_REQUEST,
      'The connection closed during the subscribe.',
    );
  }
}
