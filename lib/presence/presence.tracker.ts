import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { BroadcastAdapter } from '../brokers/broadcast.adapter.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import type { Connection } from '../connection/connection.js';
import { assertChannelName } from '../protocol/channel-name.js';
import { HandlerRegistry } from '../gateway/handler.registry.js';
import { ChannelsException } from '../protocol/channels.exception.js';
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
 * Presence on this node: the hub tells it when a connection has joined a channel (after its
 * subscribe went live) and when it left one (unsubscribe, disconnect); it counts them in the
 * {@link PresenceStore} when the channel's `@OnJoin` enables presence, and writes the store's
 * changes, coalesced, to this node's subscribers. It does nothing per push.
 *
 * @example
 * const { members } = await tracker.presence('room:lobby');
 */
@Injectable()
export class PresenceTracker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Channels');
  /** What each connection counts for: channel to principal key. */
  private readonly joined = new Map<Connection, Map<string, string>>();
  private readonly coalescer: PresenceCoalescer;
  private stopListening?: () => void;

  constructor(
    private readonly store: PresenceStore,
    private readonly registry: HandlerRegistry,
    private readonly adapter: BroadcastAdapter,
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
  ) {
    this.coalescer = new PresenceCoalescer(
      settings.presence.coalesceMs,
      (channel, changes) => this.deliver(channel, changes),
    );
  }

  onModuleInit(): void {
    this.stopListening = this.store.onChange((change) => this.coalescer.add(change));
  }

  async onApplicationShutdown(): Promise<void> {
    this.joined.clear();
    await this.store.close();
    this.coalescer.flush();
    this.stopListening?.();
    this.coalescer.close();
  }

  /** The presence settings of `channel` (from its `@OnJoin`), or undefined when it has none. */
  optionsFor(channel: string): PresenceOptions | undefined {
    return this.registry.matchJoin(channel)?.route.presence;
  }

  /** A connection's subscribe to `channel` went live: it counts as one of its principal's. */
  connectionJoined(connection: Connection, channel: string): void {
    if (connection.closed || connection.transient) return;
    const presence = this.optionsFor(channel);
    if (!presence || connection.principal === undefined) return;
    const key = this.settings.auth.principalKey(connection.principal);
    if (key === undefined) return;
    let channels = this.joined.get(connection);
    if (!channels) {
      channels = new Map();
      this.joined.set(connection, channels);
    }
    if (channels.has(channel)) return;
    channels.set(channel, key);
    const info = presence.info?.(connection.principal, channel) ?? null;
    this.store.join(channel, key, info).catch((error) => this.failed('join', channel, error));
  }

  /** A connection left `channel` (unsubscribe, or its close); a no-op when it did not count. */
  connectionLeft(connection: Connection, channel: string): void {
    const channels = this.joined.get(connection);
    const key = channels?.get(channel);
    if (!channels || key === undefined) return;
    channels.delete(channel);
    if (channels.size === 0) this.joined.delete(connection);
    this.store.leave(channel, key).catch((error) => this.failed('leave', channel, error));
  }

  /**
   * The members of a channel with presence.
   * @throws ChannelsException `BAD_REQUEST` when no `@OnJoin` enables presence on it
   */
  async presence(channel: string): Promise<PresenceReply> {
    assertChannelName(channel);
    if (!this.optionsFor(channel)) {
      throw new ChannelsException(
        ErrorCode.BAD_REQUEST,
        `Channel "${channel}" has no presence (enable it on its @OnJoin).`,
      );
    }
    return { channel, members: await this.store.members(channel) };
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

  // Writes a window's changes to this node's subscribers, through the adapter's local fan-out.
  private deliver(channel: string, changes: PresenceChange[]): void {
    if (!this.optionsFor(channel)?.joinLeave) return;
    for (const { type, key, info } of changes) {
      const frame: PresencePushFrame = {
        channel,
        event: type === 'join' ? PresenceEvent.JOIN : PresenceEvent.LEAVE,
        data: { key, info },
      };
      this.adapter.fanOutTransient(frame);
    }
  }

  private failed(what: string, channel: string, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(`Presence ${what} on "${channel}" failed: ${reason}`);
  }
}
