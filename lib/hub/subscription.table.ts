import { Injectable, Logger } from '@nestjs/common';
import { Broker } from '../brokers/broker.js';
import { ChannelsEvents } from '../connection/channels.events.js';
import type { Connection } from '../connection/connection.js';
import type { SubscriptionState } from '../connection/subscription.state.js';
import type { PushFrame, StreamPosition } from '../protocol/frames.js';
import { encodePosition, encodePush, type EncodedPush } from '../protocol/push.encoder.js';
import { BacklogPolicy } from './backlog.policy.js';
import { ChannelActivityQueue } from './channel-activity.queue.js';
import { DeltaBases } from './delta.bases.js';
import type { ResolvedDeliveryPolicy } from './delivery.resolver.js';

const ALL: ResolvedDeliveryPolicy = { policy: 'all', pattern: undefined };

/**
 * A change in the table that others hang on (presence): a subscription went live, or one was
 * removed (`wasLive`: it had gone live before).
 * @example table.onChange((change) => change.type === 'live' && join(change.state));
 */
export type SubscriptionChange =
  | { readonly type: 'live'; readonly state: SubscriptionState }
  | { readonly type: 'removed'; readonly state: SubscriptionState; readonly wasLive: boolean };

/**
 * The one owner of subscription state: connection -> channels, channel -> local subscribers,
 * the pushes held while a subscribe is in progress, and each subscription's position. Presence,
 * lifecycle counts and the SSE cursor read it or hang on its changes; nothing keeps a copy.
 * It subscribes this node to a channel at the broker with its first local subscriber, and
 * unsubscribes after its last (one call in flight per channel).
 */
@Injectable()
export class SubscriptionTable {
  private readonly logger = new Logger('Channels');
  private readonly byConnection = new Map<Connection, Map<string, SubscriptionState>>();
  private readonly byChannel: ChannelActivityQueue<SubscriptionState>;
  private readonly listeners: Array<(change: SubscriptionChange) => void> = [];
  private total = 0;
  private readonly backlog: BacklogPolicy;
  private readonly deltas = new DeltaBases();
  private readonly deltaSubscribers = new Map<string, number>();

  constructor(
    broker: Broker,
    private readonly events: ChannelsEvents,
  ) {
    this.byChannel = new ChannelActivityQueue(
      (channel) => broker.subscribe(channel),
      (channel) => broker.unsubscribe(channel),
      // Nobody awaits an unsubscribe: the node may still receive the channel's pushes (and
      // drops them, having no subscriber). Logged and counted as a broker error.
      (error, channel) => {
        this.logger.error(
          `Could not unsubscribe from channel "${channel}" at the broker: ${String(error)}`,
        );
        this.events.emit({ type: 'broker.error', operation: 'unsubscribe', error });
      },
    );
    this.backlog = new BacklogPolicy(
      (connection) => this.byConnection.get(connection)?.values() ?? [],
      (state, encoded) => this.writeNow(state, encoded),
      events,
    );
  }

  /** Runs `listener` on every change (see {@link SubscriptionChange}). */
  onChange(listener: (change: SubscriptionChange) => void): void {
    this.listeners.push(listener);
  }

  /** The subscription of `connection` to `channel`, if any. */
  get(connection: Connection, channel: string): SubscriptionState | undefined {
    return this.byConnection.get(connection)?.get(channel);
  }

  /** How many channels a connection is subscribed to. */
  countOf(connection: Connection): number {
    return this.byConnection.get(connection)?.size ?? 0;
  }

  /**
   * Adds a held subscription (pushes wait until {@link goLive}), or holds an existing one
   * again, and resolves once this node receives the channel's pushes from the broker.
   * @throws the broker's error when it could not subscribe this node (nothing is kept)
   * @returns the subscription, and whether it is new
   */
  async add(
    connection: Connection,
    channel: string,
    delivery: ResolvedDeliveryPolicy = ALL,
    wantsDelta = false,
  ): Promise<{ state: SubscriptionState; created: boolean }> {
    const delta = wantsDelta && delivery.delta === true;
    let states = this.byConnection.get(connection);
    if (!states) {
      states = new Map();
      this.byConnection.set(connection, states);
      connection.bindSubscriptions(states);
    }
    const existing = states.get(channel);
    if (existing) {
      existing.held ??= [];
      // A subscribe again starts over: its first push is full.
      this.setDelta(existing, delta);
      // A subscribe again while the broker subscription is still pending waits for it too.
      await this.byChannel.add(channel, existing);
      return { state: existing, created: false };
    }
    const state: SubscriptionState = {
      channel,
      connection,
      epoch: undefined,
      offset: undefined,
      held: [],
      live: false,
      delivery: delivery.policy,
      pattern: delivery.pattern ?? channel,
      kept: undefined,
      skipped: 0,
      delta: false,
      deltaBase: undefined,
    };
    this.setDelta(state, delta);
    states.set(channel, state);
    this.total++;
    this.events.emit({ type: 'subscription.added', connection, channel });
    try {
      await this.byChannel.add(channel, state);
    } catch (error) {
      // The broker could not subscribe this node: the subscription never existed.
      this.remove(connection, channel);
      throw error;
    }
    return { state, created: true };
  }

  /**
   * Ends a subscribe once its reply is written: the subscription takes the channel's position,
   * the pushes held since that are newer are written, and it goes live.
   */
  goLive(state: SubscriptionState, position: StreamPosition): void {
    if (this.get(state.connection, state.channel) !== state) return;
    state.epoch = position.epoch;
    state.offset = position.offset;
    this.release(state, position.offset);
    if (state.live || state.connection.closed) return;
    state.live = true;
    for (const listener of this.listeners) listener({ type: 'live', state });
  }

  /** Writes the held pushes newer than `afterOffset` and stops holding. */
  release(state: SubscriptionState, afterOffset: number): void {
    const waiting = state.held;
    state.held = undefined;
    // A subscription removed meanwhile writes nothing more.
    if (this.get(state.connection, state.channel) !== state) return;
    for (const encoded of waiting ?? []) {
      if (encoded.frame.offset > afterOffset) this.write(state, encoded);
    }
  }

  /** Removes one subscription. @returns whether there was one */
  remove(connection: Connection, channel: string): boolean {
    const states = this.byConnection.get(connection);
    const state = states?.get(channel);
    if (!states || !state) return false;
    // The map stays while the connection lives: `Connection.subscriptions` is a view of it.
    states.delete(channel);
    this.total--;
    state.held = undefined;
    state.kept = undefined;
    this.setDelta(state, false);
    this.byChannel.remove(channel, state);
    const wasLive = state.live;
    state.live = false;
    for (const listener of this.listeners) listener({ type: 'removed', state, wasLive });
    this.events.emit({ type: 'subscription.removed', connection, channel });
    return true;
  }

  /** Removes every subscription of a connection (it closed). */
  removeAll(connection: Connection): void {
    const states = this.byConnection.get(connection);
    for (const channel of [...(states?.keys() ?? [])]) this.remove(connection, channel);
    this.byConnection.delete(connection);
  }

  /**
   * Writes a push to this node's subscribers of its channel, serialized once; a subscription
   * still held keeps it for later. A subscriber named in `except` gets the push's position
   * frame instead (`{ channel, offset, epoch }`, built once), held or written the same way.
   * @returns how many connections the push itself was written or held for, and how many of
   *   those are SSE (position frames are not counted)
   */
  fanOut(push: PushFrame, except?: readonly string[]): { delivered: number; sse: number } {
    const subscribers = this.byChannel.subscribers(push.channel);
    if (!subscribers) return { delivered: 0, sse: 0 };
    // One JSON text and one WebSocket frame for every subscriber; nothing is allocated per
    // subscriber (the transports gather the writes and flush once per event-loop turn).
    const encoded = encodePush(push);
    // Its delta, once for every delta subscriber on this node, from the channel's last push.
    if (this.deltaSubscribers.has(push.channel)) this.deltas.attach(encoded);
    const skip = except && except.length > 8 ? new Set(except) : undefined;
    let position: EncodedPush | undefined;
    let delivered = 0;
    let sse = 0;
    const excepting = except !== undefined && except.length > 0;
    for (const state of subscribers) {
      if (excepting && (skip?.has(state.connection.id) ?? except.includes(state.connection.id))) {
        // An excluded connection must still learn that the channel moved: otherwise its next
        // push looks like a gap and the client recovers (and replays) the very push it was
        // excluded from. Held like a push, so a subscribe in progress keeps the order.
        position ??= encodePosition(push);
        if (state.held) state.held.push(position);
        else this.write(state, position);
        continue;
      }
      if (state.held) state.held.push(encoded);
      else this.write(state, encoded);
      delivered++;
      if (state.connection.transport === 'sse') sse++;
    }
    return { delivered, sse };
  }

  /**
   * Writes a frame that is not history (presence: no offset, never replayed) to this node's
   * subscribers of its channel. Serializes it once.
   * @returns how many connections it was written to
   */
  fanOutTransient(frame: { channel: string; event: string; data: unknown }): number {
    const subscribers = this.byChannel.subscribers(frame.channel);
    if (!subscribers) return 0;
    const json = JSON.stringify(frame);
    for (const state of subscribers) state.connection.deliverTransient(frame.event, json);
    return subscribers.size;
  }

  /** Local subscribers of one channel, or of all channels together. */
  subscriberCount(channel?: string): number {
    if (channel === undefined) return this.total;
    return this.byChannel.subscribers(channel)?.size ?? 0;
  }

  /** Channels with at least one subscriber on this node. */
  channels(): string[] {
    return [...this.byChannel.channels()];
  }

  /** Resolves once every broker subscribe and unsubscribe asked for so far has settled. */
  settled(): Promise<void> {
    return this.byChannel.settled();
  }

  // A `latest` or `drop` channel of a connection that is behind keeps back or drops the push.
  private write(state: SubscriptionState, encoded: EncodedPush): void {
    if (state.delivery !== 'all' && !this.backlog.admit(state, encoded)) return;
    this.writeNow(state, encoded);
  }

  // A delta subscriber whose last push is the delta's base gets the delta, else the full push.
  private writeNow(state: SubscriptionState, encoded: EncodedPush): void {
    state.epoch = encoded.frame.epoch;
    state.offset = encoded.frame.offset;
    if (!state.delta) return state.connection.deliver(encoded);
    const { delta } = encoded;
    const fromBase = delta !== undefined && delta.baseSeq === state.deltaBase;
    if ('data' in encoded.frame) state.deltaBase = encoded.deltaSeq;
    state.connection.deliver(fromBase ? delta.push : encoded);
  }

  // Counts the delta subscribers of each channel: a channel without any keeps no base.
  private setDelta(state: SubscriptionState, delta: boolean): void {
    state.deltaBase = undefined;
    if (state.delta === delta) return;
    state.delta = delta;
    const count = (this.deltaSubscribers.get(state.channel) ?? 0) + (delta ? 1 : -1);
    if (count > 0) this.deltaSubscribers.set(state.channel, count);
    else {
      this.deltaSubscribers.delete(state.channel);
      this.deltas.forget(state.channel);
    }
  }
}
