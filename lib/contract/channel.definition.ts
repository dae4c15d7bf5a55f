import type { SchemaSource, TypeOfSource } from './schema.source.js';

/**
 * The parameters of a channel pattern: `'room:{roomId}'` gives `{ roomId: string }`.
 * @example const params: PatternParams<'room:{roomId}:{lang}'> = { roomId: '1', lang: 'en' };
 */
export type PatternParams<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? { [K in Name | keyof PatternParams<Rest>]: string }
  : Record<never, string>;

/**
 * The channel names a pattern matches, as a template literal type: `'room:{roomId}'` gives
 * `` `room:${string}` ``.
 * @example const name: PatternName<'user:{userId}'> = 'user:alice';
 */
export type PatternName<P extends string> = P extends `${infer Head}{${string}}${infer Rest}`
  ? `${Head}${string}${PatternName<Rest>}`
  : P;

/**
 * Event name to push payload type, for one channel.
 * @example type Pushes = { notification: NotificationPush };
 */
export type PushMap = { [event: string]: unknown };

/**
 * One concrete channel of a {@link ChannelDefinition}, what `ChannelsService.publish` takes to
 * check the event and payload against the declared pushes.
 * @example await channels.publish(userChannel.to({ userId }), 'notification', n);
 */
export interface ChannelRef<P extends PushMap = PushMap> {
  /** The channel name, e.g. `user:alice`. */
  readonly name: string;
  /** The pattern it was made from. */
  readonly pattern: string;
  // Never set: it carries the push types for the compiler.
  readonly pushTypes?: P;
}

/**
 * A channel pattern and the pushes published on it: one declaration that types
 * `ChannelsService.publish` on the server and `ChannelsClient.subscribe` on the client, and
 * goes in the AsyncAPI document. Pass it to `@OnJoin` in place of the pattern string.
 * @example
 * export const userChannel = defineChannel('user:{userId}', { notification: NotificationPush });
 */
export interface ChannelDefinition<Pattern extends string = string, P extends PushMap = PushMap> {
  readonly kind: 'channel';
  /** The pattern, `{name}` for a parameter (one segment, no `:` or `/`). */
  readonly pattern: Pattern;
  /** Event name to payload source, for the document. */
  readonly pushes: { readonly [E in keyof P]: SchemaSource<P[E]> };
  /** What the channel carries, for the document. @default none */
  readonly description?: string;
  /** Descriptions of the parameters, for the document. @default none */
  readonly parameters?: { readonly [K in keyof PatternParams<Pattern>]?: string };
  /**
   * The concrete channel for `params`.
   * @throws TypeError when a parameter is missing or empty
   */
  to(
    ...params: keyof PatternParams<Pattern> extends never ? [] : [PatternParams<Pattern>]
  ): ChannelRef<P>;
}

/**
 * Extra documentation for {@link defineChannel}.
 * @example { description: 'A user\'s notifications', parameters: { userId: 'The user id' } }
 */
export interface ChannelDocs<Pattern extends string> {
  /** What the channel carries. @default none */
  description?: string;
  /** Descriptions of the parameters. @default none */
  parameters?: { [K in keyof PatternParams<Pattern>]?: string };
}

/**
 * Declares a channel pattern and its pushes (event name to a class or a `shape<T>()`).
 * @example
 * export const broadcast = defineChannel('broadcast', { announcement: AnnouncementPush });
 * await channels.publish(broadcast.to(), 'announcement', { id, title, createdAt });
 */
export function defineChannel<
  Pattern extends string,
  S extends { [event: string]: SchemaSource<unknown> },
>(
  pattern: Pattern,
  pushes: S,
  docs: ChannelDocs<Pattern> = {},
): ChannelDefinition<Pattern, { [E in keyof S]: TypeOfSource<S[E]> }> {
  type P = { [E in keyof S]: TypeOfSource<S[E]> };
  return {
    kind: 'channel',
    pattern,
    pushes: pushes as ChannelDefinition<Pattern, P>['pushes'],
    ...docs,
    to: (...args) => ({ name: fill(pattern, args[0] ?? {}), pattern }),
  };
}

function fill(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`Channel "${pattern}" needs a non-empty "${name}".`);
    }
    return value;
  });
}

/**
 * Whether `value` is a {@link ChannelDefinition}.
 * @example if (isChannelDefinition(pattern)) pattern.pattern;
 */
export function isChannelDefinition(value: unknown): value is ChannelDefinition {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'channel'
  );
}
