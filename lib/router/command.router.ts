import { Inject, Injectable } from '@nestjs/common';
import type { Connection } from '../connection/connection.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { toErrorBody } from '../protocol/error-body.mapper.js';
import { logFault } from './fault.logger.js';
import { ConnectionRegistry } from '../connection/connection.registry.js';
import { MessageRateLimiter } from '../rate-limit/message-rate.limiter.js';
import {
  ErrorCode,
  type CommandFrame,
  type ErrorFrame,
  type ReplyFrame,
  type StreamPosition,
} from '../protocol/frames.js';
import { assertChannelName } from '../protocol/channel-name.js';
import { ChannelHub } from '../hub/channel.hub.js';
import { HandlerRegistry } from '../gateway/handler.registry.js';
import { PresenceTracker } from '../presence/presence.tracker.js';
import { ChannelsEvents } from '../connection/channels.events.js';
import { CommandTimer } from './command.timer.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import type { ResolvedFrameLimits } from '../protocol/frame.limits.js';
import { scanFrame, type FrameScan } from '../protocol/frame.scanner.js';
import { parseScanned } from '../protocol/command.parser.js';
import { BUILT_IN_EVENTS } from '../protocol/built-in-events.js';
import { isStreamChannel } from '../protocol/stream-channel.js';
import { streamOf } from '../gateway/streamed-reply.js';
import { ReplyStreams } from './reply-streams.js';

/** Where the router writes the one answer of a command. */
export type AnswerWriter = (frame: ReplyFrame | ErrorFrame) => void;

/**
 * The one inbound path of both transports: takes a raw frame (a WebSocket text frame, a POST
 * body) and its connection, scans it against the frame bounds, charges the rate limit, parses
 * it, routes it to the built-in `subscribe` / `unsubscribe` / `presence` or to the app's
 * handler, and answers it: a reply when it carries an `id`, an error frame (with its `id`, if
 * any) when it fails. It never throws: every failure becomes an error frame.
 */
@Injectable()
export class CommandRouter {
  private readonly frameLimits: ResolvedFrameLimits;

  constructor(
    @Inject(CHANNELS_SETTINGS) settings: ChannelsSettings,
    private readonly registry: HandlerRegistry,
    private readonly hub: ChannelHub,
    private readonly limiter: MessageRateLimiter,
    private readonly connections: ConnectionRegistry,
    private readonly presence: PresenceTracker,
    private readonly events: ChannelsEvents,
    private readonly streams: ReplyStreams,
  ) {
    this.frameLimits = settings.limits.frameLimits;
  }

  /**
   * Takes one frame of `connection` and writes its answer (if it has one) with `write`. In
   * order: a connection whose credentials have expired is closed (4401) and the frame refused
   * (`UNAUTHORIZED`); the bounds scan; the rate limit, charged before anything is parsed, so a
   * refused frame costs a scan and no parse; the parse; the command.
   *
   * The budget charged is that of the top-level `event` the scan read (the shared one for a
   * frame past its bounds, or without a readable event); when the parsed event takes from
   * another budget (an `"event"` key spelled with escapes, say), that one is charged too.
   *
   * A frame read once the connection stopped taking commands (a close that waits for the
   * answers owed was decided, see `Connection.closeAfterAnswers`) is dropped unanswered; every
   * frame taken before counts as in flight until it is answered, and that close waits for it.
   *
   * @param scan the frame's {@link scanFrame} result, when the transport already made it
   */
  async receive(
    connection: Connection,
    text: string,
    write: AnswerWriter,
    scan?: FrameScan,
  ): Promise<void> {
    if (!connection.accepting) return;
    connection.commandStarted();
    const timer = new CommandTimer(this.events, this.registry, connection, undefined);
    write = timer.wrap(write);
    let id: number | undefined;
    try {
      if (connection.expireIfDue())
        throw new ChannelsException(ErrorCode.UNAUTHORIZED, 'The credentials have expired.');
      scan ??= scanFrame(text, this.frameLimits);
      id = scan.id;
      const charged = scan.violation === undefined ? scan.event : undefined;
      // A refusal by the rate limit is reported under the event the scan read.
      timer.event = charged;
      await this.limiter.consume(connection, charged);
      const command = parseScanned(text, scan);
      id = command.id;
      timer.event = command.event;
      timer.channel = channelOf(command.data);
      if (!this.limiter.sameBudget(command.event, charged))
        await this.limiter.consume(connection, command.event);
      await this.execute(connection, command, write);
    } catch (error) {
      this.logFault(error, connection, timer.event);
      write(errorFrame(error, id));
    } finally {
      timer.finish();
      connection.commandSettled();
    }
  }

  /**
   * Answers a frame the transport refused before reading it (`error`: a binary frame where text
   * is expected). It counts against the connection's rate limit like a command, so a flood of
   * such frames is cut off (4429) like any other.
   */
  async rejectFrame(connection: Connection, error: unknown, write: AnswerWriter): Promise<void> {
    if (!connection.accepting) return;
    connection.commandStarted();
    const id = error instanceof ChannelsException ? error.options.id : undefined;
    const timer = new CommandTimer(this.events, this.registry, connection, undefined);
    write = timer.wrap(write);
    try {
      await this.limiter.consume(connection, undefined);
      write(errorFrame(error, id));
    } catch (limited) {
      write(errorFrame(limited, id));
    } finally {
      timer.finish();
      connection.commandSettled();
    }
  }

  // A parsed command, charged already: the built-ins, or the app's handler.
  private async execute(
    connection: Connection,
    command: CommandFrame,
    write: AnswerWriter,
  ): Promise<void> {
    if (connection.transient && BUILT_IN_EVENTS.has(command.event)) {
      throw new ChannelsException(
        ErrorCode.BAD_REQUEST,
        `"${command.event}" needs an open SSE stream: send its connectionId in the X-Channels-Connection header.`,
        { id: command.id },
      );
    }
    if (command.event === 'subscribe') return await this.subscribe(connection, command, write);
    const data =
      command.event === 'unsubscribe'
        ? this.unsubscribe(connection, command)
        : command.event === 'presence'
          ? await this.presence.command(connection, command.data)
          : await this.run(connection, command);
    // A handler that answered with a stream: its reply names the stream channel.
    const source = streamOf(data);
    if (source) return await this.streams.start(connection, command, source, write);
    if (command.id !== undefined) write({ id: command.id, data: data ?? null });
  }

  private async run(connection: Connection, command: CommandFrame): Promise<unknown> {
    const route = this.registry.messages.get(command.event);
    if (!route) {
      throw new ChannelsException(
        ErrorCode.UNKNOWN_EVENT,
        `No handler for event "${command.event}".`,
      );
    }
    return route.handler(connection, command.data, { event: command.event });
  }

  private async subscribe(
    connection: Connection,
    command: CommandFrame,
    write: AnswerWriter,
  ): Promise<void> {
    const { channel, since, delta } = readSubscribe(command.data);
    await this.authorizeJoin(connection, channel, command.data);
    // Deltas travel on WebSocket only (docs/protocol.md): an SSE stream gets full pushes.
    const wantsDelta = delta && connection.transport !== 'sse';
    const reply = await this.hub.subscribe(connection, channel, since, wantsDelta);
    if (command.id !== undefined) write({ id: command.id, data: reply });
    this.hub.goLive(connection, reply);
  }

  private unsubscribe(
    connection: Connection,
    command: CommandFrame,
  ): { channel: string; unsubscribed: boolean } {
    const channel = (command.data as { channel?: unknown } | undefined)?.channel;
    assertChannelName(channel);
    const unsubscribed = this.hub.unsubscribe(connection, channel);
    // Leaving a stream channel cancels the stream (a dropped connection does not).
    if (isStreamChannel(channel)) this.streams.unsubscribed(connection, channel);
    return { channel, unsubscribed };
  }

  /** Runs the `@OnJoin` handler whose pattern matches; only `true` allows. */
  async authorizeJoin(connection: Connection, channel: string, data: unknown): Promise<void> {
    // A stream channel belongs to the principal that started it; no pattern of the app decides.
    if (isStreamChannel(channel)) return this.streams.authorize(connection, channel);
    const match = this.registry.matchJoin(channel);
    if (!match) {
      throw new ChannelsException(
        ErrorCode.FORBIDDEN,
        `No join handler allows channel "${channel}".`,
      );
    }
    let allowed: unknown;
    try {
      allowed = await match.route.handler(connection, data, {
        event: 'subscribe',
        channel,
        params: match.params,
      });
    } catch (error) {
      this.logFault(error, connection, 'subscribe');
      throw error;
    }
    if (allowed !== true) {
      throw new ChannelsException(
        ErrorCode.FORBIDDEN,
        `Joining channel "${channel}" is not allowed.`,
      );
    }
  }

  // One line per server fault, with where it happened; nothing for a client's mistake.
  private logFault(error: unknown, connection: Connection, event: string | undefined): void {
    logFault(error, {
      where: 'command',
      event,
      connectionId: connection.id,
      principal: this.connections.keyOf(connection.principal),
      transport: connection.transport,
    });
  }
}

// The channel a command names (`subscribe`, `unsubscribe`, `presence`, or an app's own data).
function channelOf(data: unknown): string | undefined {
  const channel = (data as { channel?: unknown } | null | undefined)?.channel;
  return typeof channel === 'string' ? channel : undefined;
}

/** The error frame for anything thrown while handling a command. */
export function errorFrame(error: unknown, id?: number): ErrorFrame {
  const frame: ErrorFrame = { error: toErrorBody(error) };
  const correlated = id ?? (error instanceof ChannelsException ? error.options.id : undefined);
  return correlated === undefined ? frame : { id: correlated, ...frame };
}

function readSubscribe(data: unknown): {
  channel: string;
  since?: StreamPosition;
  delta: boolean;
} {
  const fields = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const { channel, since } = fields;
  assertChannelName(channel);
  // Any other value (or none) asks for full pushes: a future format is not an error.
  const delta = fields.delta === 'fossil';
  if (since === undefined || since === null) return { channel, delta };
  const position = since as Partial<StreamPosition>;
  if (
    typeof position.epoch !== 'string' ||
    !Number.isSafeInteger(position.offset) ||
    position.offset! < 0
  ) {
    throw new ChannelsException(
      ErrorCode.BAD_REQUEST,
      '"since" must be { epoch: string, offset: integer >= 0 }.',
    );
  }
  return { channel, since: { epoch: position.epoch, offset: position.offset! }, delta };
}
