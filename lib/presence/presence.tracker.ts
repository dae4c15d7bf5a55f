import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import type { Connection } from '../connection/connection.js';
import type { SubscriptionState } from '../connection/subscription.state.js';
import { SubscriptionTable } from '../hub/subscription.table.js';
import { assertChannelName } from '../protocol/channel-name.js';
import { HandlerRegistry } from '../gateway/handler.registry.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { isUnavailable } from '../protocol/unavailable.js';
import { ErrorCode } from '../protocol/frames.js';
import { PresenceCoalescer } from './presence.coalescer.js';
import { PresenceStore } from './presence.store.js';
import {
  PresenceEvent,
  type PresenceChange,
  type PresenceOptions,
  type PresencePushFrame,
  type PresenceReply,
} from '../protocol/presence.types.js';

/**
 * Presence on this node: it hangs on the subscription table's changes (a subscription went
 * live, or was removed by an unsubscribe or a disconnect) and counts them in the
 * {@link PresenceStore} when the channel's `@OnJoin` enables presence, and writes the store's
 * changes to this node's subscribers as one `presence.diff` per channel per coalescing window
 * (so a thousand joins in a second are about twenty frames per subscriber, not a thousand). It
 * does nothing per push.
 *
 * @example
 * const { members } = await tracker.presence('room:lobby');
 */
@Injectable()
export class PresenceTracker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Channels');
  private stopped = false;
  // The member key each live subscription joined with: its leave counts for the same key.
  private readonly joinedAs = new WeakMap<SubscriptionState, string>();
  private readonly coalescer: PresenceCoalescer;
  private stopListening?: () => void;

  constructor(
    private readonly store: PresenceStore,
    private readonly registry: HandlerRegistry,
    private readonly table: SubscriptionTable,
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
  ) {
    this.coalescer = new PresenceCoalescer(settings.presence.coalesceMs, (channel, changes) =>
      this.deliver(channel, changes),
    );
  }

  onModuleInit(): void {
    this.stopListening = this.store.onChange((change) => this.coalescer.add(change));
    this.table.onChange((change) => {
      if (change.type === 'live') this.joined(change.state);
      else if (change.wasLive) this.left(change.state);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.store.close();
    this.coalescer.flush();
    this.stopListening?.();
    this.coalescer.close();
  }

  /** The presence settings of `channel` (from its `@OnJoin`), or undefined when it has none. */
  optionsFor(channel: string): PresenceOptions | undefined {
    return this.registry.matchJoin(channel)?.route.presence;
  }

  // A subscription that went live joins its principal's presence on a presence channel; its
  // removal leaves it, under the key it joined with.
  private joined(state: SubscriptionState): void {
    const key = this.memberKey(state);
    if (key === undefined) return;
    this.joinedAs.set(state, key);
    const presence = this.optionsFor(state.channel)!;
    const info = presence.info?.(state.connection.principal, state.channel) ?? null;
    this.store
      .join(state.channel, key, info)
      .catch((error) => this.failed('join', state.channel, error));
  }

  private left(state: SubscriptionState): void {
    const key = this.joinedAs.get(state);
    this.joinedAs.delete(state);
    if (key === undefined || this.stopped) return;
    this.store
      .leave(state.channel, key)
      .catch((error) => this.failed('leave', state.channel, error));
  }

  private memberKey({ connection, channel }: SubscriptionState): string | undefined {
    if (this.stopped || connection.transient || connection.principal === undefined)
      return undefined;
    if (!this.optionsFor(channel)) return undefined;
    return this.settings.auth.principalKey(connection.principal);
  }

  /**
   * The members of a presence channel, on every node.
   * @throws ChannelsException `BAD_REQUEST` (no presence there), `UNAVAILABLE` while the
   *   presence store cannot be reached
   */
  async presence(channel: string): Promise<PresenceReply> {
    assertChannelName(channel);
    if (!this.optionsFor(channel)) {
      throw new ChannelsException(
        ErrorCode.BAD_REQUEST,
        `Channel "${channel}" has no presence (enable it on its @OnJoin).`,
      );
    }
    const unavailable = () =>
      ChannelsException.unavailable('Presence is unreachable for now: retry shortly.');
    if (!this.store.isReady()) throw unavailable();
    try {
      return { channel, members: await this.store.members(channel) };
    } catch (error) {
      // The store went away during the read: the same retryable answer as before it.
      if (isUnavailable(error) || this.store.isReady()) throw error;
      throw unavailable();
    }
  }

  /**
   * The built-in `presence` command: the members, for a connection subscribed to the channel.
   * @throws ChannelsException `BAD_REQUEST` (no presence there), `FORBIDDEN` (not subscribed)
   */
  async command(connection: Connection, data: unknown): Promise<PresenceReply> {
    const channel = (data as { channel?: unknown } | undefined)?.channel;
    assertChannelName(channel);
    if (!this.optionsFor(channel)) return this.presence(channel);
    if (!connection.subscriptions.has(channel)) {
      throw new ChannelsException(
        ErrorCode.FORBIDDEN,
        `Subscribe to "${channel}" before asking for its presence.`,
      );
    }
    return this.presence(channel);
  }

  // Writes a window's changes to this node's subscribers as one frame, through the
  // subscription table's fan-out (encoded once for every subscriber).
  private deliver(channel: string, changes: PresenceChange[]): void {
    if (!this.optionsFor(channel)?.joinLeave) return;
    const frame: PresencePushFrame = {
      channel,
      event: PresenceEvent.DIFF,
      data: { joins: [], leaves: [] },
    };
    for (const { type, key, info } of changes)
      (type === 'join' ? frame.data.joins : frame.data.leaves).push({ key, info });
    this.table.fanOutTransient(frame);
  }

  private failed(what: string, channel: string, error: unknown): void {
    // The store's backend is away: its outage is logged once, not once per join or leave.
    if (isUnavailable(error)) return;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(`Presence ${what} on "${channel}" failed: ${reason}`);
  }
}
