import type { PushFrame } from '../protocol/frames.js';
import type { ChannelDefinition, PatternName, PushMap } from './channel.definition.js';
import type { CommandDefinition } from './command.definition.js';

/**
 * The shape of an API as a client sees it: each command's payload and reply, and each channel
 * pattern's pushes. Write it with {@link ApiOf} from the server's definitions, not by hand.
 * @example type Api = ApiOf<typeof userChannel | typeof markRead>;
 */
export interface ChannelsApi {
  commands: { [event: string]: { payload: unknown; reply: unknown } };
  channels: { [pattern: string]: PushMap };
}

/**
 * The API of an untyped client: any command, any channel, `unknown` data. The default of
 * `ChannelsClient`, so code written before typed APIs keeps compiling.
 * @example const client = new ChannelsClient<LooseApi>({ url: '/channels' });
 */
export type LooseApi = {
  commands: { [event: string]: { payload: unknown; reply: unknown } };
  channels: { [pattern: string]: PushMap };
};

/**
 * The {@link ChannelsApi} of a union of channel and command definitions: the one command that
 * brings server types to the client is `import type`.
 * @example
 * // notifications.contract.ts, shared by the gateway and the page
 * export type NotificationsApi = ApiOf<typeof userChannel | typeof broadcast | typeof markRead | typeof list>;
 * // page
 * const client = new ChannelsClient<NotificationsApi>({ url: '/channels' });
 */
export type ApiOf<D> = {
  commands: {
    [C in Extract<D, CommandDefinition> as C['event']]: C extends CommandDefinition<
      string,
      infer P,
      infer R
    >
      ? { payload: P; reply: R }
      : never;
  };
  channels: {
    [C in Extract<D, ChannelDefinition> as C['pattern']]: C extends ChannelDefinition<
      string,
      infer P
    >
      ? P
      : never;
  };
};

/**
 * The command names of an API (`string` for {@link LooseApi}).
 * @example const event: CommandName<NotificationsApi> = 'notifications.list';
 */
export type CommandName<Api extends ChannelsApi> = keyof Api['commands'] & string;

/**
 * The payload type of command `E`.
 * @example const data: CommandPayload<NotificationsApi, 'notifications.markRead'> = { ids: ['n1'] };
 */
export type CommandPayload<
  Api extends ChannelsApi,
  E extends CommandName<Api>,
> = Api['commands'][E]['payload'];

/**
 * The reply type of command `E`.
 * @example type Page = CommandReply<NotificationsApi, 'notifications.list'>;
 */
export type CommandReply<
  Api extends ChannelsApi,
  E extends CommandName<Api>,
> = Api['commands'][E]['reply'];

/**
 * The channel names a client may subscribe to: each pattern as a template literal type.
 * @example const channel: ChannelName<NotificationsApi> = 'user:alice'; // or 'broadcast'
 */
export type ChannelName<Api extends ChannelsApi> = {
  [K in keyof Api['channels'] & string]: PatternName<K>;
}[keyof Api['channels'] & string];

/**
 * The pushes of the channels whose pattern matches `C`.
 * @example type UserPushes = ChannelPushes<NotificationsApi, 'user:alice'>; // { notification: NotificationPush }
 */
export type ChannelPushes<Api extends ChannelsApi, C extends string> = {
  [K in keyof Api['channels'] & string]: C extends PatternName<K> ? Api['channels'][K] : never;
}[keyof Api['channels'] & string];

/**
 * One push of a channel with pushes `P`, narrowed by its `event`.
 * @example if (push.event === 'notification') show(push.data);
 */
export type TypedPush<P extends PushMap> = {
  [E in keyof P & string]: PushFrame<P[E]> & { event: E };
}[keyof P & string];

/**
 * A handler of a typed channel: the payload of any of its pushes, and the push itself (switch
 * on `push.event` to narrow).
 * @example const onPush: TypedPushHandler<{ note: Note }> = (note, push) => show(note);
 */
export type TypedPushHandler<P extends PushMap> = (
  data: P[keyof P & string],
  push: TypedPush<P>,
) => void;

/**
 * `string` when the API's commands are untyped, else `never`: what keeps the untyped
 * `request<T>` overload for {@link LooseApi} only.
 * @example type K = LooseCommand<LooseApi>; // string
 */
export type LooseCommand<Api extends ChannelsApi> = string extends keyof Api['commands']
  ? string
  : never;

/**
 * `string` when the API's channels are untyped, else `never`.
 * @example type K = LooseChannel<NotificationsApi>; // never
 */
export type LooseChannel<Api extends ChannelsApi> = string extends keyof Api['channels']
  ? string
  : never;
