import type { SchemaSource, TypeOfSource } from './schema.source.js';

/**
 * The payload type of a command that declares none: no `data`, or an empty object.
 * @example await client.request('notifications.list'); // or ('notifications.list', {})
 */
export type NoPayload = Record<string, never> | undefined;

/**
 * A command: its event name, the payload it takes and the reply it answers. Pass it to
 * `@OnMessage` in place of the event name; the handler's return type is then checked against
 * the reply, and a typed client knows both.
 * @example
 * export const markRead = defineCommand('notifications.markRead', { payload: MarkReadDto, reply: UnreadCount });
 */
export interface CommandDefinition<E extends string = string, P = unknown, R = unknown> {
  readonly kind: 'command';
  readonly event: E;
  /** The payload's class or shape. @default none: the command takes no data */
  readonly payload?: SchemaSource<P>;
  /** The reply's class or shape. @default none: the reply is not described */
  readonly reply?: SchemaSource<R>;
  /** One line for the document. @default none */
  readonly summary?: string;
  /** More for the document. @default none */
  readonly description?: string;
  /**
   * The handler answers with a stream (an `Observable` or an async iterable) of values of the
   * `reply` type: the reply names a stream channel (docs/protocol.md, "Streamed replies"), a
   * typed client reads it with `client.stream`, and the document describes it so.
   * @default false
   */
  readonly stream?: boolean;
}

/**
 * What {@link defineCommand} takes.
 * @example { payload: MarkReadDto, reply: UnreadCountReply, summary: 'Marks notifications read' }
 */
export interface CommandSpec<PS, RS> {
  /** The payload's class (the DTO the handler's `@MessageBody()` validates) or shape. @default none */
  payload?: PS;
  /** The reply's class or shape. @default none */
  reply?: RS;
  /** One line for the document. @default none */
  summary?: string;
  /** More for the document. @default none */
  description?: string;
  /** The handler streams values of the `reply` type (see {@link CommandDefinition.stream}). @default false */
  stream?: boolean;
}

/**
 * Declares a command.
 * @example
 * export const list = defineCommand('notifications.list', { reply: NotificationPageReply });
 * // gateway:  @OnMessage(list) list(...): Promise<NotificationPage> { ... }
 * // client:   const page = await client.request('notifications.list');
 */
export function defineCommand<
  E extends string,
  PS extends SchemaSource<unknown> | undefined = undefined,
  RS extends SchemaSource<unknown> | undefined = undefined,
>(
  event: E,
  spec: CommandSpec<PS, RS> = {},
): CommandDefinition<
  E,
  PS extends SchemaSource<unknown> ? TypeOfSource<PS> : NoPayload,
  RS extends SchemaSource<unknown> ? TypeOfSource<RS> : unknown
> {
  return { kind: 'command', event, ...spec } as CommandDefinition<
    E,
    PS extends SchemaSource<unknown> ? TypeOfSource<PS> : NoPayload,
    RS extends SchemaSource<unknown> ? TypeOfSource<RS> : unknown
  >;
}

/**
 * Whether `value` is a {@link CommandDefinition}.
 * @example if (isCommandDefinition(event)) event.event;
 */
export function isCommandDefinition(value: unknown): value is CommandDefinition {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'command'
  );
}
