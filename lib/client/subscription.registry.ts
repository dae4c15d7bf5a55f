import {
  isPositionFrame,
  type PositionFrame,
  type PushFrame,
  type StreamPosition,
  type SubscribeReply,
} from '../protocol/frames.js';
import { isGapFrame, type DeliveryPolicy, type GapFrame } from '../protocol/delivery-policy.js';
import { ChannelLanes } from './channel.lanes.js';
import { ChannelsError } from './channels.error.js';
import { DeltaReader } from './delta.reader.js';
import { backgroundTimeout, type TimerHandle } from './timers.js';

/**
 * Receives the pushes of a channel, in order, each once: the push's `data`, and the push itself.
 * @example const onNote: PushHandler<Note> = (note, push) => render(note, push.offset);
 */
export type PushHandler<T = unknown> = (data: T, push: PushFrame<T>) => void;

/**
 * Options of `ChannelsClient.subscribe`.
 * @example await client.subscribe('user:42', render, { onReset: () => reloadNotifications() });
 */
export interface SubscribeOptions {
  /**
   * Called when pushes may have been missed and could not be replayed: after a reconnect the
   * server's history no longer covered the gap (`recovered: false`). Refetch the state the
   * channel feeds.
   */
  onReset?: () => void;
  /**
   * Ask for delta pushes on this channel (the server sends them where the channel's pattern
   * allows them, over WebSocket): the SDK applies them, so handlers still get full data.
   * Fewer bytes for large pushes that change little; one subscription asking is enough.
   * @default false
   * @example await client.subscribe('status', render, { delta: true });
   */
  delta?: boolean;
}

/**
 * One `subscribe` call's handle.
 * @example
 * const subscription = await client.subscribe('room:lobby', show);
 * await subscription.unsubscribe();
 */
export interface Subscription {
  /** The channel subscribed to. */
  readonly channel: string;
  /** Stops this handler; the channel is left on the server when no handler remains. */
  unsubscribe(): Promise<void>;
}

/** What the registry needs from the client. */
export interface SubscriptionHost {
  /** Sends a command now; rejects `DISCONNECTED` when there is no connection. */
  requestNow(event: string, data: unknown): Promise<unknown>;
  connected(): boolean;
  reset(channel: string): void;
  subscribed(info: SubscribedInfo): void;
  error(error: Error): void;
  /**
   * The wait before subscribing again after `attempt` earlier `UNAVAILABLE` answers, or
   * undefined to give up (the subscription then fails like a refusal).
   */
  retryDelay(attempt: number, error: ChannelsError): number | undefined;
}

/**
 * A (re)subscription the server accepted: the argument of the client's `subscribed` event.
 * @example client.on('subscribed', ({ channel, resubscribed }) => log(channel, resubscribed));
 */
export interface SubscribedInfo {
  /** The channel subscribed to. */
  channel: string;
  /** Whether this renewed the subscription on a new connection. */
  resubscribed: boolean;
  /** On a resubscribe: whether every push missed meanwhile was replayed. */
  recovered: boolean;
}

interface Handle {
  handler: PushHandler<never>;
  onReset?: () => void;
}

interface Entry {
  channel: string;
  handles: Set<Handle>;
  /** The last push delivered. */
  position?: StreamPosition;
  status: 'idle' | 'subscribing' | 'live';
  /**
   * Pushes (and position frames) that arrived while a subscribe was in flight, delivered after
   * its replay.
   */
  held: Array<PushFrame | PositionFrame>;
  confirmed: boolean;
  waiters: Array<{ resolve(): void; reject(error: ChannelsError): void }>;
  /** Bumped whenever an answer in flight stops mattering. */
  generation: number;
  retry?: TimerHandle;
  /** `UNAVAILABLE` answers in a row on this connection. */
  unavailable: number;
  /** The channel's delivery policy, from the subscribe reply. */
  delivery?: DeliveryPolicy;
  /** Whether a handle asked for delta pushes. */
  delta: boolean;
}

// Codes after which a subscribe is worth repeating on the same connection.
const TRANSIENT = new Set(['TIMEOUT', 'RATE_LIMITED', 'INTERNAL']);

/**
 * The channels the app wants, with their handlers and their position in each channel's
 * history. It subscribes them on every new connection, with `since` so the server replays
 * what was missed, and delivers every push once and in offset order: pushes arriving while a
 * subscribe is in flight wait for its replay (over SSE they travel apart from the reply), and
 * pushes already delivered are dropped. A channel's subscribe and unsubscribe commands go out
 * one at a time ({@link ChannelLanes}), so the server applies them in the app's order.
 */
export class SubscriptionRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly lanes = new ChannelLanes();
  private readonly deltas = new DeltaReader();

  constructor(private readonly host: SubscriptionHost) {}

  /**
   * Adds a handler; resolves once the server has accepted the channel. `from`: a position the
   * channel is read from (a streamed reply's channel, from its epoch and offset 0), so the
   * subscribe replays what came before it.
   */
  add<T>(
    channel: string,
    handler: PushHandler<T>,
    options: SubscribeOptions,
    from?: StreamPosition,
  ): Promise<Subscription> {
    const handle: Handle = { handler: handler as PushHandler<never>, onReset: options.onReset };
    let entry = this.entries.get(channel);
    if (!entry) {
      entry = {
        channel,
        handles: new Set(),
        status: 'idle',
        held: [],
        confirmed: false,
        waiters: [],
        generation: 0,
        unavailable: 0,
        position: from,
        delta: options.delta === true,
      };
      this.entries.set(channel, entry);
      if (this.host.connected()) void this.subscribe(entry);
    }
    entry.handles.add(handle);
    // Asked after the channel's subscribe: it holds from the next one (a reconnect).
    if (options.delta === true) entry.delta = true;
    const subscription: Subscription = { channel, unsubscribe: () => this.remove(channel, handle) };
    if (entry.confirmed) return Promise.resolve(subscription);
    const waiting = entry;
    return new Promise<Subscription>((resolve, reject) => {
      waiting.waiters.push({ resolve: () => resolve(subscription), reject });
    });
  }

  /** Removes one handler, or all of a channel's; leaves the channel when none remains. */
  async remove(channel: string, handle?: Handle): Promise<void> {
    const entry = this.entries.get(channel);
    if (!entry) return;
    if (handle) entry.handles.delete(handle);
    else entry.handles.clear();
    if (entry.handles.size > 0) return;
    this.drop(
      entry,
      new ChannelsError(
        'CLOSED',
        `Unsubscribed from "${channel}" before the server confirmed it.`,
        { channel },
      ),
    );
    // In the channel's lane: after the subscribe in flight, if any, and before the next one.
    if (this.host.connected())
      await this.lanes.run(channel, () => this.host.requestNow('unsubscribe', { channel }));
  }

  /** A connection is ready: subscribe every channel, resuming from its position. */
  resume(): void {
    for (const entry of this.entries.values()) void this.subscribe(entry);
  }

  /** The connection is gone: answers in flight no longer matter. */
  suspend(): void {
    this.lanes.reset();
    this.deltas.clear();
    for (const entry of this.entries.values()) {
      entry.generation += 1;
      entry.status = 'idle';
      entry.held = [];
      entry.unavailable = 0;
      clearTimeout(entry.retry);
    }
  }

  /**
   * The client stopped: every subscription ends, and those waiting for their first
   * confirmation fail with `error`. A later connection starts with none: the app that
   * connects again subscribes again, so no handler it was told had failed (or that belonged
   * to the session it closed) ever receives a push.
   */
  stop(error: ChannelsError): void {
    this.suspend();
    for (const entry of [...this.entries.values()]) this.drop(entry, error);
  }

  /**
   * A push from the server, or a position frame (a push this connection was excluded from:
   * the channel's position moves, nothing is delivered). One that skips offsets (pub/sub
   * between server nodes delivers at most once), or comes with another epoch, is not delivered
   * over the gap: the channel is subscribed again from the last push delivered, so the server
   * replays what is missing (or says it cannot, and `onReset` runs), and this push follows in
   * order.
   */
  push(frame: PushFrame | PositionFrame): void {
    const entry = this.entries.get(frame.channel);
    if (isGapFrame(frame)) return this.gap(entry, frame);
    const push = entry?.delta && !isPositionFrame(frame) ? this.deltas.read(frame) : frame;
    // A delta without its base (it cannot happen unless frames were lost): recover the channel.
    if (!push) {
      if (entry?.status === 'live' && this.host.connected()) void this.subscribe(entry);
      return;
    }
    if (entry?.status === 'live' && this.opensGap(entry, push) && this.host.connected()) {
      void this.subscribe(entry);
      entry.held.push(push);
    } else if (entry?.status === 'live') this.deliver(entry, push);
    else if (entry?.status === 'subscribing') entry.held.push(push);
  }

  /**
   * A `drop` channel's pushes were dropped while this connection was behind: recover from the
   * position the server names (the last push it wrote), like after a reconnect. A subscribe in
   * flight already recovers from the position it sent.
   */
  private gap(entry: Entry | undefined, gap: GapFrame): void {
    if (entry?.status !== 'live' || !this.host.connected()) return;
    const { position } = entry;
    if (!position || position.epoch !== gap.epoch || gap.offset < position.offset)
      entry.position = { epoch: gap.epoch, offset: gap.offset };
    void this.subscribe(entry);
  }

  /** The server could not replay these channels (SSE `event: reset`). */
  resetChannels(channels: string[]): void {
    for (const channel of channels) {
      const entry = this.entries.get(channel);
      if (!entry) continue;
      entry.position = undefined;
      this.notifyReset(entry);
    }
  }

  // Pushes are held from now on; the command itself waits for its turn in the channel's lane.
  private subscribe(entry: Entry): Promise<void> {
    const generation = ++entry.generation;
    clearTimeout(entry.retry);
    entry.status = 'subscribing';
    entry.held = [];
    return this.lanes.run(entry.channel, () => this.sendSubscribe(entry, generation));
  }

  private async sendSubscribe(entry: Entry, generation: number): Promise<void> {
    // Dropped (its unsubscribe is next in the lane) or renewed while it waited: not needed.
    if (entry.generation !== generation) return;
    const since = entry.position;
    let reply: SubscribeReply;
    try {
      reply = (await this.host.requestNow('subscribe', {
        channel: entry.channel,
        ...(since ? { since } : {}),
        ...(entry.delta ? { delta: 'fossil' } : {}),
      })) as SubscribeReply;
    } catch (error) {
      if (entry.generation === generation) this.refused(entry, toError(error, entry.channel));
      return;
    }
    // An unsubscribe made meanwhile waited for this answer in the lane, and goes out now.
    if (entry.generation !== generation) return;
    this.goLive(entry, reply, since);
  }

  private goLive(entry: Entry, reply: SubscribeReply, since: StreamPosition | undefined): void {
    if (since && !reply.recovered) {
      entry.position = undefined;
      this.notifyReset(entry);
    }
    if (reply.recovered) {
      // A replayed push that arrived meanwhile as a position frame excluded this connection:
      // it moves the position without reaching the handlers.
      const excluded = new Set(
        entry.held
          .filter((f) => isPositionFrame(f) && f.epoch === reply.epoch)
          .map((f) => f.offset),
      );
      for (const push of reply.missed) {
        const skip = push.epoch === reply.epoch && excluded.has(push.offset);
        this.deliver(entry, skip ? positionOf(push) : push);
      }
    }
    const { position } = entry;
    if (!position || position.epoch !== reply.epoch || position.offset < reply.offset) {
      entry.position = { epoch: reply.epoch, offset: reply.offset };
    }
    entry.status = 'live';
    entry.unavailable = 0;
    entry.delivery = reply.delivery;
    const held = entry.held.sort((a, b) => a.offset - b.offset);
    entry.held = [];
    for (const push of held) this.deliver(entry, push);
    const resubscribed = entry.confirmed;
    entry.confirmed = true;
    for (const waiter of entry.waiters.splice(0)) waiter.resolve();
    this.host.subscribed({
      channel: entry.channel,
      resubscribed,
      recovered: resubscribed && reply.recovered,
    });
  }

  private refused(entry: Entry, error: ChannelsError): void {
    entry.status = 'idle';
    // A lost connection resubscribes on the next one; a busy server is asked again.
    if (error.code === 'DISCONNECTED' || error.code === 'CLOSED') return;
    // The server's broker is briefly away: asked again with jitter, a bounded number of times.
    const unavailableDelay =
      error.code === 'UNAVAILABLE' ? this.host.retryDelay(entry.unavailable, error) : undefined;
    if (unavailableDelay !== undefined) {
      entry.unavailable += 1;
      if (this.host.connected())
        entry.retry = backgroundTimeout(() => void this.subscribe(entry), unavailableDelay);
      return;
    }
    if (TRANSIENT.has(error.code)) {
      if (this.host.connected())
        entry.retry = backgroundTimeout(
          () => void this.subscribe(entry),
          error.retryAfterMs ?? 1_000,
        );
      return;
    }
    const wasConfirmed = entry.confirmed;
    this.drop(entry, error);
    if (wasConfirmed) this.host.error(error);
  }

  private drop(entry: Entry, error: ChannelsError): void {
    entry.generation += 1;
    clearTimeout(entry.retry);
    this.entries.delete(entry.channel);
    for (const waiter of entry.waiters.splice(0)) waiter.reject(error);
  }

  private deliver(entry: Entry, push: PushFrame | PositionFrame): void {
    const { position } = entry;
    if (position && position.epoch === push.epoch && push.offset <= position.offset) return;
    entry.position = { epoch: push.epoch, offset: push.offset };
    if (isPositionFrame(push)) return;
    for (const handle of [...entry.handles]) {
      try {
        handle.handler(push.data as never, push as PushFrame<never>);
      } catch (error) {
        this.host.error(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  // On a `latest` channel the server skips pushes by design: only a new epoch is a gap there.
  private opensGap(entry: Entry, push: PushFrame | PositionFrame): boolean {
    const { position } = entry;
    if (!position) return false;
    if (position.epoch !== push.epoch) return true;
    return entry.delivery !== 'latest' && push.offset > position.offset + 1;
  }

  private notifyReset(entry: Entry): void {
    for (const handle of [...entry.handles]) {
      try {
        handle.onReset?.();
      } catch (error) {
        this.host.error(error instanceof Error ? error : new Error(String(error)));
      }
    }
    this.host.reset(entry.channel);
  }
}

function positionOf(push: PushFrame): PositionFrame {
  return { channel: push.channel, offset: push.offset, epoch: push.epoch };
}

function toError(error: unknown, channel: string): ChannelsError {
  if (error instanceof ChannelsError) {
    return error.channel === undefined
      ? new ChannelsError(error.code, error.message, {
          details: error.details,
          retryAfterMs: error.retryAfterMs,
          status: error.status,
          channel,
        })
      : error;
  }
  return new ChannelsError('INTERNAL', error instanceof Error ? error.message : String(error), {
    channel,
  });
}
