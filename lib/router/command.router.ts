import { Injectable } from '@nestjs/common';
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

/** Where the router writes the one answer of a command. */
export type AnswerWriter = (frame: ReplyFrame | ErrorFrame) => void;

/**
 * Routes a command to the built-in `subscribe` / `unsubscribe` / `presence` or to the app's handler, and
 * answers it: a reply when it carries an `id`, an error frame (with its `id`, if any) when it
 * fails. It never throws: every failure becomes an error frame.
 */
@Injectable()
export class CommandRouter {
  constructor(
    private readonly registry: HandlerRegistry,
    private readonly hub: ChannelHub,
    private readonly limiter: MessageRateLimiter,
    private readonly connections: ConnectionRegistry,
    private readonly presence: PresenceTracker,
    private readonly events: ChannelsEvents,
  ) {}

  /**
   * Runs one command and writes its answer (if it has one) with `write`. The rate limit is
   * taken first; a connection whose credentials have expired is closed (4401) and the command
   * refused (`UNAUTHORIZED`) without running.
   */
  async dispatch(
    connection: Connection,
    command: CommandFrame,
    write: AnswerWriter,
  ): Promise<void> {
    const timer = new CommandTimer(this.events, this.registry, connection, command.event);
    write = timer.wrap(write);
    try {
      if (connection.expireIfDue())
        throw new ChannelsException(ErrorCode.UNAUTHORIZED, 'The credentials have expired.');
      await this.limiter.consume(connection, command.event);
      if (command.event === 'subscribe') return await this.subscribe(connection, command, write);
      const data =
        command.event === 'unsubscribe'
          ? this.unsubscribe(connection, command)
          : command.event === 'presence'
            ? await this.presence.command(connection, command.data)
            : await this.run(connection, command);
      if (command.id !== undefined) write({ id: command.id, data: data ?? null });
    } catch (error) {
      this.logFault(error, connection, command.event);
      write(errorFrame(error, command.id));
    } finally {
      timer.finish();
    }
  }

  /**
   * Answers a frame that could not be parsed into a command (`error`, from the parser). It
   * counts against the connection's rate limit like a command, so a flood of garbage is cut
   * off (4429) like any other.
   */
  async rejectFrame(connection: Connection, error: unknown, write: AnswerWriter): Promise<void> {
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
    }
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
    const { channel, since } = readSubscribe(command.data);
    await this.authorizeJoin(connection, channel, command.data);
    const reply = await this.hub.subscribe(connection, channel, since);
    if (command.id !== undefined) write({ id: command.id, data: reply });
    this.hub.goLive(connection, reply);
  }

  private unsubscribe(
    connection: Connection,
    command: CommandFrame,
  ): { channel: string; unsubscribed: boolean } {
    const channel = (command.data as { channel?: unknown } | undefined)?.channel;
    assertChannelName(channel);
    return { channel, unsubscribed: this.hub.unsubscribe(connection, channel) };
  }

  /** Runs the `@OnJoin` handler whose pattern matches; only `true` allows. */
  async authorizeJoin(connection: Connection, channel: string, data: unknown): Promise<void> {
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
  private logFault(error: unknown, connection: Connection, event: string): void {
    logFault(error, {
      where: 'command',
      event,
      connectionId: connection.id,
      principal: this.connections.keyOf(connection.principal),
      transport: connection.transport,
    });
  }
}

/** The error frame for anything thrown while handling a command. */
export function errorFrame(error: unknown, id?: number): ErrorFrame {
  const frame: ErrorFrame = { error: toErrorBody(error) };
  const correlated = id ?? (error instanceof ChannelsException ? error.options.id : undefined);
  return correlated === undefined ? frame : { id: correlated, ...frame };
}

function readSubscribe(data: unknown): { channel: string; since?: StreamPosition } {
  const { channel, since } = (typeof data === 'object' && data !== null ? data : {}) as Record<
    string,
    unknown
  >;
  assertChannelName(channel);
  if (since === undefined || since === null) return { channel };
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
  return { channel, since: { epoch: position.epoch, offset: position.offset! } };
}
