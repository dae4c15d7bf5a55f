import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Broker } from '../brokers/broker.js';
import type { StreamControl } from '../brokers/broker.message.js';
import { ChannelsEvents } from '../connection/channels.events.js';
import type { Connection } from '../connection/connection.js';
import { ConnectionRegistry } from '../connection/connection.registry.js';
import type { StreamEndReason } from '../connection/stream-event.types.js';
import type { StreamSource } from '../gateway/streamed-reply.js';
import { ChannelHub } from '../hub/channel.hub.js';
import { SubscriptionTable } from '../hub/subscription.table.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode, type ReplyFrame } from '../protocol/frames.js';
import { isStreamChannel, STREAM_CHANNEL_PREFIX } from '../protocol/stream-channel.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { ReplyStreamRun } from './reply-stream.run.js';
import { logFault } from './fault.logger.js';

interface Running {
  readonly run: ReplyStreamRun;
  readonly event: string;
  readonly startedAt: number;
  /** When a connection of its principal, on any node, was last seen subscribed. */
  lastSeen: number;
}

/**
 * The streamed replies running on this node (docs/protocol.md, "Streamed replies"). A stream's
 * channel is `stream:<owner>.<random>`, where the owner is a digest of the principal's key: any
 * node can tell, without asking, whether a connection may subscribe to it. Values are pushes,
 * so resume and cross-node delivery are the channels' own. A stream is cancelled by an
 * `unsubscribe` of its channel (on any node: a `cancel` control reaches the node that runs it)
 * and by `streams.idleMs` without a subscriber anywhere (nodes `touch` the stream channels they
 * hold subscribers of); a dropped connection cancels nothing.
 */
@Injectable()
export class ReplyStreams implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Channels');
  private readonly running = new Map<string, Running>();
  private readonly idleMs: number;
  private sweeper?: ReturnType<typeof setInterval>;

  constructor(
    @Inject(CHANNELS_SETTINGS) settings: ChannelsSettings,
    private readonly hub: ChannelHub,
    private readonly table: SubscriptionTable,
    private readonly broker: Broker,
    private readonly connections: ConnectionRegistry,
    private readonly events: ChannelsEvents,
  ) {
    this.idleMs = settings.streams.idleMs;
  }

  /**
   * Starts a handler's stream for a command: subscribes the connection to a new stream channel
   * (a transient POST client is not subscribed: it reads the channel as an SSE stream or not at
   * all), writes the reply that names it, then publishes the values.
   * @throws ChannelsException `BAD_REQUEST` for a command without `id` (nobody could learn the
   *   channel); `UNAVAILABLE` while the broker is away (the source is not read)
   */
  async start(
    connection: Connection,
    command: { id?: number; event: string },
    source: StreamSource,
    write: (frame: ReplyFrame) => void,
  ): Promise<void> {
    const channel = `${STREAM_CHANNEL_PREFIX}${this.ownerOf(connection)}.${randomBytes(16).toString('base64url')}`;
    try {
      if (command.id === undefined) {
        throw new ChannelsException(
          ErrorCode.BAD_REQUEST,
          `"${command.event}" answers with a stream: send the command with an id.`,
        );
      }
      const reply = connection.transient
        ? undefined
        : await this.hub.subscribe(connection, channel);
      const epoch = reply?.epoch ?? (await this.hub.position(channel)).epoch;
      write({ id: command.id, data: null, stream: { channel, epoch } });
      if (reply) this.hub.goLive(connection, reply);
    } catch (error) {
      discard(source);
      throw error;
    }
    const now = Date.now();
    const fault = {
      where: 'stream',
      event: command.event,
      connectionId: connection.id,
      principal: this.connections.keyOf(connection.principal),
      transport: connection.transport,
    };
    const run = new ReplyStreamRun({
      publish: (event, data) => this.hub.publish(channel, event, data),
      ended: (reason, values, error) => {
        // A server fault mid-stream is logged once, as a command's is; a client error is not.
        if (reason === 'failed') logFault(error, fault);
        this.ended(channel, reason, values);
      },
    });
    this.running.set(channel, { run, event: command.event, startedAt: now, lastSeen: now });
    this.sweep(true);
    this.events.emit({ type: 'stream.started', connection, event: command.event, channel });
    run.start(source);
  }

  /**
   * Join authorization of a stream channel: only the principal that started it.
   * @throws ChannelsException `FORBIDDEN` for anyone else
   */
  authorize(connection: Connection, channel: string): void {
    if (this.ownerOf(connection) !== ownerPart(channel)) {
      throw new ChannelsException(
        ErrorCode.FORBIDDEN,
        'Only the principal that started a stream may subscribe to it.',
      );
    }
    // This node now holds a subscriber of a stream that may run elsewhere: keep touching it.
    this.sweep(true);
  }

  /** A connection of the stream's principal unsubscribed from it: cancel it, wherever it runs. */
  unsubscribed(connection: Connection, channel: string): void {
    if (this.ownerOf(connection) !== ownerPart(channel)) return;
    const local = this.running.get(channel);
    if (local) return void local.run.cancel('unsubscribed');
    this.control('cancel', [channel]);
  }

  /** A `stream` control message from another node (the broker dispatcher hands it here). */
  receive(message: StreamControl): void {
    for (const channel of message.channels) {
      const local = this.running.get(channel);
      if (!local) continue;
      if (message.action === 'cancel') void local.run.cancel('unsubscribed');
      else local.lastSeen = Date.now();
    }
  }

  /** How many streams run on this node. */
  get size(): number {
    return this.running.size;
  }

  /**
   * The node begins to shut down: every stream it runs is cancelled (teardown), reason
   * `shutdown`, while its connections and the broker are still up, so its clients (and those
   * that resume it later, on another node) get the `stream.error` that ends it instead of
   * waiting for values that will never come. Waits for those last pushes at most 2 s.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const ends = [...this.running.values()].map(({ run }) => run.cancel('shutdown'));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(ends),
      new Promise((resolve) => (timer = setTimeout(resolve, 2_000))),
    ]);
    clearTimeout(timer);
  }

  onApplicationShutdown(): void {
    for (const { run } of this.running.values()) void run.cancel('shutdown');
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  // The digest of a principal's key that its stream channels start with.
  private ownerOf(connection: Connection): string {
    const key = this.connections.keyOf(connection.principal) ?? '';
    return createHash('sha256').update(key).digest('base64url').slice(0, 16);
  }

  private ended(channel: string, reason: StreamEndReason, values: number): void {
    const running = this.running.get(channel);
    if (!running) return;
    this.running.delete(channel);
    const durationMs = Date.now() - running.startedAt;
    this.events.emit({
      type: 'stream.ended',
      event: running.event,
      channel,
      reason,
      values,
      durationMs,
    });
  }

  // Every third of the idle time: streams nobody listened to for idleMs are cancelled, and the
  // stream channels this node holds subscribers of are touched for the nodes that run them.
  // The timer runs while this node runs streams, or holds subscribers of streams elsewhere.
  private sweep(ensureOnly = false): void {
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), Math.max(10, this.idleMs / 3));
      this.sweeper.unref();
    }
    if (ensureOnly) return;
    const now = Date.now();
    for (const [channel, running] of this.running) {
      if (this.table.subscriberCount(channel) > 0) running.lastSeen = now;
      else if (now - running.lastSeen >= this.idleMs) void running.run.cancel('idle');
    }
    const elsewhere = this.table
      .channels()
      .filter((channel) => isStreamChannel(channel) && !this.running.has(channel));
    if (elsewhere.length > 0) this.control('touch', elsewhere);
    else if (this.running.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private control(action: StreamControl['action'], channels: string[]): void {
    if (!this.broker.distributed) return;
    this.broker.publishControl({ type: 'stream', action, channels }).catch((error: unknown) => {
      this.logger.warn(`Could not send a stream ${action} to the other nodes: ${String(error)}`);
    });
  }
}

function ownerPart(channel: string): string {
  const rest = channel.slice(STREAM_CHANNEL_PREFIX.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? '' : rest.slice(0, dot);
}

// A stream that will never be read: an async iterator is told so (its `finally` runs).
function discard(source: StreamSource): void {
  const iterable = source as Partial<AsyncIterable<unknown>>;
  if (typeof iterable[Symbol.asyncIterator] !== 'function') return;
  const iterator = iterable[Symbol.asyncIterator]!();
  void Promise.resolve(iterator.return?.()).catch(() => undefined);
}
