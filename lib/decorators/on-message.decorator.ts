import { applyDecorators, SetMetadata } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { MESSAGE_METADATA } from '../gateway/gateway.constants.js';
import type { CommandDefinition } from '../contract/command.definition.js';
import { MESSAGE_CONTRACT_METADATA } from '../contract/contract.constants.js';
import type { SchemaSource } from '../contract/schema.source.js';

/**
 * What `@OnMessage` may declare for the AsyncAPI document, beside the event name.
 * @example @OnMessage('rooms.stats', { reply: RoomStats, summary: 'Counts of a room' })
 */
export interface OnMessageOptions {
  /** The reply's class or `shape<T>()`. @default none: the document says "any value" */
  reply?: SchemaSource<unknown>;
  /** One line for the document. @default none */
  summary?: string;
  /** More for the document. @default none */
  description?: string;
  /** The handler streams values of the `reply` type (docs/protocol.md, "Streamed replies"). @default false */
  stream?: boolean;
}

/**
 * What a handler of a command with reply `R` may return: the reply, or a stream of such values
 * (an `Observable` or an async iterable, streamed as pushes: docs/protocol.md, "Streamed replies").
 * @example const reply: ReplyLike<{ unread: number }> = Promise.resolve({ unread: 0 });
 */
export type ReplyLike<R> = R | Promise<R> | Observable<R> | AsyncIterable<R>;

/**
 * The decorator `@OnMessage(definition)` returns: it checks the handler's return type.
 * @example const decorate: TypedMessageDecorator<UnreadCountReply> = OnMessage(markReadCommand);
 */
export type TypedMessageDecorator<R> = <F extends (...args: never[]) => ReplyLike<R>>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<F>,
) => void;

/**
 * Handles the command `event`. The return value (or the resolved value) becomes the reply's
 * `data`; an `Observable` or an async iterable (an async generator) is streamed, each value a
 * push on the stream channel the reply names (docs/protocol.md, "Streamed replies"); a thrown
 * exception becomes an error frame.
 * Given a `defineCommand(...)` definition instead of a name, the handler's return type must
 * match the declared reply (a compile error otherwise), and the document shows the payload
 * and reply schemas.
 *
 * @example
 * @OnMessage('message.send')
 * send(@MessageBody() dto: SendMessageDto) { return { ok: true }; }
 *
 * @OnMessage(markRead) // defineCommand('notifications.markRead', { payload: MarkReadDto, reply: UnreadCount })
 * async markRead(@MessageBody() dto: MarkReadDto): Promise<UnreadCount> { ... }
 */
export function OnMessage<R>(
  command: CommandDefinition<string, unknown, R>,
): TypedMessageDecorator<R>;
export function OnMessage(event: string, options?: OnMessageOptions): MethodDecorator;
export function OnMessage(
  eventOrCommand: string | CommandDefinition,
  options: OnMessageOptions = {},
): MethodDecorator {
  if (typeof eventOrCommand === 'string') {
    return applyDecorators(
      SetMetadata(MESSAGE_METADATA, eventOrCommand),
      SetMetadata(MESSAGE_CONTRACT_METADATA, options),
    );
  }
  const { event, payload, reply, summary, description, stream } = eventOrCommand;
  return applyDecorators(
    SetMetadata(MESSAGE_METADATA, event),
    SetMetadata(MESSAGE_CONTRACT_METADATA, { payload, reply, summary, description, stream }),
  );
}
