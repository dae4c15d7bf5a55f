import { Inject, Injectable } from '@nestjs/common';
import { Broker } from '../brokers/broker.js';
import type { TraceCarrier } from '../brokers/broker.message.js';
import { ChannelsEvents } from '../connection/channels.events.js';
import type { Connection } from '../connection/connection.js';
import { ConnectionRegistry } from '../connection/connection.registry.js';
import type { SubscriptionState } from '../connection/subscription.state.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { assertChannelName } from '../protocol/channel-name.js';
import { isStreamChannel } from '../protocol/stream-channel.js';
import {
  ErrorCode,
  type PushFrame,
  type StreamPosition,
  type SubscribeReply,
} from '../protocol/frames.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { BrokerGate } from './broker.gate.js';
import type { PushTracing } from './push.tracing.js';

import { DeliveryResolver } from './delivery.resolver.js';
import { SubscriptionTable } from './subscription.table.js';

/**
 * Options of a publish (`ChannelsService.publish`).
 * @example await channels.publish('room:lobby', 'message', msg, { except: client.id });
 */
export interface PublishOptions {
  /** Connection ids that must not receive this push (the sender, typically). */
  except?: string | readonly string[];
}

/**
 * Publishing and subscribing: a push goes to the broker, which sequences it and brings it back
 * to every node; {@link deliver} writes it to this node's subscribers through the subscription
 * table. A subscribe's replay and the live pushes stay in order.
 */
@Injectable()
export class ChannelHub {
  private tracing?: PushTracing;

  constructor(
    private readonly broker: Broker,
    private readonly table: SubscriptionTable,
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
    private readonly connections: ConnectionRegistry,
    private readonly events: ChannelsEvents,
    private readonly gate: BrokerGate,
    private readonly delivery: DeliveryResolver,
  ) {}

  /**
   * Registers a connection whose handshake passed, for either transport: it joins the
   * registry, and its subscriptions are dropped when it closes.
   */
  register(connection: Connection): void {
    this.connections.add(connection, this.dropConnection);
  }

  // One function for every connection (not a closure each): its subscriptions go when it closes.
  private readonly dropConnection = (connection: Connection): void =>
    this.table.removeAll(connection);

  /**
   * Sequences a push at the broker, which delivers it to every subscriber on every node.
   * @throws ChannelsException `UNAVAILABLE` while the broker cannot be reached (nothing was published)
   */
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
    const traced = this.tracing?.publishing(channel, event);
    let push: PushFrame;
    try {
      push = await this.gate.run('publish', () =>
        this.broker.publish(channel, event, data ?? null, except, traced?.carrier),
      );
    } catch (error) {
      traced?.settle(undefined, error);
      throw error;
    }
    traced?.settle(push);
    this.events.emit({ type: 'push.published', push });
    return push;
  }

  /**
   * Writes a push the broker brought to this node to its local subscribers (once per push).
   * @param trace the publisher's trace context, when it came with one
   */
  deliver(push: PushFrame, except?: readonly string[], trace?: TraceCarrier): void {
    const { delivered, sse } = this.table.fanOut(push, except);
    if (delivered > 0 && this.events.listening('push.delivered'))
      this.events.emit({ type: 'push.delivered', push, delivered, sse });
    if (trace !== undefined) this.tracing?.delivered(push, trace, delivered);
  }

  /**
   * Hangs a tracing integration on the hub (`undefined` takes it off): see {@link PushTracing}.
   * @example hub.traceWith(new ChannelsTracing(trace.getTracer('nestjs-channels')))
   */
  traceWith(tracing: PushTracing | undefined): void {
    this.tracing = tracing;
  }

  /**
   * Subscribes a connection (join authorization has already run). Pushes that arrive while
   * the history is read are held; call {@link goLive} once the reply has been written.
   * @throws ChannelsException `BAD_REQUEST` over `limits.maxSubscriptionsPerConnection`, or
   *   when the connection closes meanwhile; `UNAVAILABLE` while the broker cannot be reached
   *   (the connection keeps what it held)
   */
  async subscribe(
    connection: Connection,
    channel: string,
    since?: StreamPosition,
    wantsDelta = false,
  ): Promise<SubscribeReply> {
    const already = this.table.get(connection, channel) !== undefined;
    const max = this.settings.limits.maxSubscriptionsPerConnection;
    if (!already && this.table.countOf(connection) >= max) {
      throw new ChannelsException(
        ErrorCode.BAD_REQUEST,
        `A connection may hold at most ${max} subscriptions.`,
      );
    }
    assertOpen(connection);
    let state: SubscriptionState | undefined;
    const delivery = this.delivery.resolve(channel);
    try {
      const { position, missed } = await this.gate.run('history', async () => {
        ({ state } = await this.table.add(connection, channel, delivery, wantsDelta));
        return this.broker.history(channel, since);
      });
      // The connection may have closed during a wait: its close already dropped what it held,
      // so this subscription must not outlive it.
      assertOpen(connection);
      // Nor may a subscription that was removed meanwhile (an unsubscribe, a failed broker
      // subscribe that an earlier subscribe of the same channel was waiting on) be reported live.
      if (this.table.get(connection, channel) !== state) {
        throw new ChannelsException(
          ErrorCode.CONFLICT,
          `The subscription to "${channel}" ended while it was being set up.`,
        );
      }
      const recovered = since !== undefined && missed !== undefined;
      // Both transports resume a streamed reply through here (docs/protocol.md).
      if (since !== undefined && isStreamChannel(channel))
        this.events.emit({ type: 'stream.resumed', connection, channel, recovered });
      return {
        channel,
        offset: position.offset,
        epoch: position.epoch,
        recovered,
        missed: missed ?? [],
        delivery: state!.delivery,
        ...(state!.delta ? { delta: 'fossil' as const } : {}),
      };
    } catch (error) {
      if (!already || connection.closed) this.table.remove(connection, channel);
      // Still subscribed from before: the held pushes are live ones it must not lose.
      else if (state) this.table.release(state, Number.NEGATIVE_INFINITY);
      throw error;
    }
  }

  /**
   * The channel's latest position (its epoch, created now for a channel never seen).
   * @throws ChannelsException `UNAVAILABLE` while the broker cannot be reached
   */
  async position(channel: string): Promise<StreamPosition> {
    const { position } = await this.gate.run('history', () => this.broker.history(channel));
    return position;
  }

  /** Ends a subscribe: writes the pushes held since, those after `offset`, and goes live. */
  goLive(connection: Connection, reply: SubscribeReply): void {
    const state = this.table.get(connection, reply.channel);
    if (state) this.table.goLive(state, reply);
  }

  /** Removes one subscription. @returns whether the connection was subscribed. */
  unsubscribe(connection: Connection, channel: string): boolean {
    return this.table.remove(connection, channel);
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
