/**
 * The presence shapes a client observes (see docs/protocol.md, "Presence") and the ones a
 * presence store reports.
 */

/**
 * One member of a channel: a principal, however many connections (tabs, nodes) it has there.
 * @example { "key": "alice", "connections": 2, "info": { "userId": "alice" } }
 */
export interface PresenceMember<TInfo = unknown> {
  /** The principal key (the `principalKey` option). */
  key: string;
  /** How many connections of this principal are subscribed to the channel, on every node. */
  connections: number;
  /** What the app chose to share about the member (`info` of its presence options); `null` when nothing. */
  info: TInfo;
}

/**
 * The reply to the built-in `presence` command, and the result of `ChannelsService.presence`.
 * @example { "channel": "room:lobby", "members": [{ "key": "alice", "connections": 2, "info": null }] }
 */
export interface PresenceReply<TInfo = unknown> {
  channel: string;
  members: PresenceMember<TInfo>[];
}

/**
 * One member in a `presence.diff`: its principal key and the info it shares (for a leave,
 * the info it had).
 * @example { "key": "alice", "info": { "userId": "alice" } }
 */
export interface PresenceEventData<TInfo = unknown> {
  key: string;
  info: TInfo;
}

/**
 * The data of a `presence.diff` push: every join and leave of one coalescing window. A key
 * that joined and left within the window is in neither list.
 * @example { "joins": [{ "key": "alice", "info": null }], "leaves": [{ "key": "bob", "info": null }] }
 */
export interface PresenceDiff<TInfo = unknown> {
  joins: PresenceEventData<TInfo>[];
  leaves: PresenceEventData<TInfo>[];
}

/**
 * A `presence.diff` push: a channel's membership changes of one window, sent to each
 * subscriber at most once per channel per window. Unlike a published push it has no
 * `offset` or `epoch`: it is not history, is never replayed, and does not move an SSE cursor.
 * @example { "channel": "room:lobby", "event": "presence.diff", "data": { "joins": [{ "key": "alice", "info": null }], "leaves": [] } }
 */
export interface PresencePushFrame<TInfo = unknown> {
  channel: string;
  event: 'presence.diff';
  data: PresenceDiff<TInfo>;
}

/**
 * A change of a channel's membership, as a {@link PresenceStore} reports it: a key's first
 * connection (on any node) arrived, or its last one left.
 * @example { channel: 'room:lobby', type: 'leave', key: 'alice', info: { userId: 'alice' } }
 */
export interface PresenceChange {
  channel: string;
  type: 'join' | 'leave';
  key: string;
  info: unknown;
}

/**
 * Presence settings of a channel pattern, declared on its `@OnJoin`.
 * @example
 * @OnJoin('room:{id}', { presence: { joinLeave: true, info: (user: User) => ({ name: user.name }) } })
 */
export interface PresenceOptions<TPrincipal = unknown> {
  /**
   * Sends `presence.diff` (the joins and leaves of each coalescing window) to the channel's
   * subscribers.
   * @default false (the list is there for the `presence` command, no pushes)
   */
  joinLeave?: boolean;
  /**
   * What a member shares with the others, chosen from its principal (never pass the token on).
   * Called for the member's connection that made it present.
   * @default () => null
   */
  info?(principal: TPrincipal, channel: string): unknown;
}

/**
 * The push event name of presence.
 * @example if (push.event === PresenceEvent.DIFF) push.data.joins.forEach(({ key }) => online.add(key));
 */
export const PresenceEvent = {
  DIFF: 'presence.diff',
} as const;
