import type {
  PresenceDiff,
  PresenceEventData,
  PresenceMember,
  PresenceReply,
} from '../protocol/presence.types.js';
import type { Subscription, SubscribedInfo } from './subscription.registry.js';

/**
 * Called with a member that arrived or left: once per join and per leave of each
 * `presence.diff` the server sends.
 * @example sub.onJoin(({ key, info }) => online.add(key, info));
 */
export type PresenceEventListener<TInfo = unknown> = (member: PresenceEventData<TInfo>) => void;

/**
 * Called with a channel's whole member list, fetched anew after a reconnect (join and leave
 * pushes missed meanwhile are not replayed).
 * @example sub.onSync((members) => online.replace(members));
 */
export type PresenceSyncListener<TInfo = unknown> = (members: PresenceMember<TInfo>[]) => void;

/**
 * A subscription with presence: the member list on demand, and listeners of who comes and
 * goes. On a channel whose server-side `@OnJoin` has no presence, `presence()` rejects with
 * `BAD_REQUEST` and the listeners are never called.
 *
 * @example
 * const room = await client.subscribe('room:lobby', showMessage);
 * render(await room.presence());
 * room.onJoin(({ key }) => add(key));
 * room.onLeave(({ key }) => remove(key));
 * room.onSync((members) => render(members)); // after a reconnect
 */
export interface PresenceSubscription<TInfo = unknown> extends Subscription {
  /** Asks the server who is in the channel (one entry per principal). */
  presence(): Promise<PresenceMember<TInfo>[]>;
  /** Listens to members arriving (each join of a `presence.diff`); returns its remover. */
  onJoin(listener: PresenceEventListener<TInfo>): () => void;
  /** Listens to members leaving (each leave of a `presence.diff`); returns its remover. */
  onLeave(listener: PresenceEventListener<TInfo>): () => void;
  /**
   * Listens to the list refetched after each reconnect. Members that came or went meanwhile
   * are also reported to the join and leave listeners. Returns a function that removes it.
   */
  onSync(listener: PresenceSyncListener<TInfo>): () => void;
}

/** What {@link ClientPresence} needs from the client. */
export interface ClientPresenceHost {
  request(event: string, data: unknown): Promise<unknown>;
  error(error: Error): void;
}

interface ChannelListeners {
  join: Set<PresenceEventListener>;
  leave: Set<PresenceEventListener>;
  sync: Set<PresenceSyncListener>;
  /** Who the client believes is there: from the last list and the pushes since. */
  known?: Map<string, unknown>;
}

/**
 * The SDK's side of presence: hands each `presence.diff` push to the listeners of its channel,
 * one call per join (first) and per leave, answers `presence()`, and refetches the list of
 * every channel with listeners when its subscription is renewed on a new connection.
 */
export class ClientPresence {
  private readonly channels = new Map<string, ChannelListeners>();

  constructor(private readonly host: ClientPresenceHost) {}

  /** Asks the server for a channel's members. */
  async fetch<TInfo>(channel: string): Promise<PresenceMember<TInfo>[]> {
    const reply = (await this.host.request('presence', { channel })) as PresenceReply<TInfo>;
    const entry = this.channels.get(channel);
    if (entry) entry.known = new Map(reply.members.map((m) => [m.key, m.info]));
    return reply.members;
  }

  /** Gives a subscription its presence methods; its listeners go when it unsubscribes. */
  attach<TInfo>(subscription: Subscription): PresenceSubscription<TInfo> {
    const { channel } = subscription;
    const removers: Array<() => void> = [];
    // The listeners are typed by the app's TInfo; the server's data is what it is.
    const listen = (kind: 'join' | 'leave' | 'sync', listener: unknown): (() => void) => {
      const entry = this.entry(channel);
      const set = entry[kind] as Set<unknown>;
      set.add(listener);
      const remove = () => {
        set.delete(listener);
        if (entry.join.size + entry.leave.size + entry.sync.size === 0)
          this.channels.delete(channel);
      };
      removers.push(remove);
      return remove;
    };
    return {
      channel,
      unsubscribe: () => {
        for (const remove of removers.splice(0)) remove();
        return subscription.unsubscribe();
      },
      presence: () => this.fetch<TInfo>(channel),
      onJoin: (listener) => listen('join', listener),
      onLeave: (listener) => listen('leave', listener),
      onSync: (listener) => listen('sync', listener),
    };
  }

  /**
   * Handles a frame if it is a presence push.
   * @returns whether it was one
   */
  handle(frame: object): boolean {
    const { channel, event, data } = frame as {
      channel?: unknown;
      event?: unknown;
      data?: unknown;
    };
    if (typeof channel !== 'string' || event !== 'presence.diff') return false;
    if ('offset' in frame) return false; // an app's own push that happens to use the name
    const entry = this.channels.get(channel);
    const diff = data as Partial<PresenceDiff> | undefined;
    if (!entry) return true;
    // Against the list the client holds (once it asked for one), each change is reported once:
    // a diff may repeat what a refetched list already showed, or the other way round.
    for (const member of members(diff?.joins)) {
      if (entry.known?.has(member.key)) continue;
      entry.known?.set(member.key, member.info);
      this.call(entry.join, member);
    }
    for (const member of members(diff?.leaves)) {
      if (entry.known && !entry.known.delete(member.key)) continue;
      this.call(entry.leave, member);
    }
    return true;
  }

  /** A subscription went live; after a reconnect, its channel's list is fetched anew. */
  subscribed(info: SubscribedInfo): void {
    const entry = this.channels.get(info.channel);
    if (!info.resubscribed || !entry) return;
    this.host.request('presence', { channel: info.channel }).then(
      (reply) => {
        const { members } = reply as PresenceReply;
        // What the client believes now: the last list and the diffs since, those that arrived
        // on the new connection before this reply included.
        const before = entry.known;
        entry.known = new Map(members.map((m) => [m.key, m.info]));
        for (const member of members)
          if (before && !before.has(member.key))
            this.call(entry.join, { key: member.key, info: member.info });
        for (const [key, memberInfo] of before ?? [])
          if (!entry.known.has(key)) this.call(entry.leave, { key, info: memberInfo });
        this.call(entry.sync, members);
      },
      (error: unknown) =>
        this.host.error(error instanceof Error ? error : new Error(String(error))),
    );
  }

  private entry(channel: string): ChannelListeners {
    let entry = this.channels.get(channel);
    if (!entry) {
      entry = { join: new Set(), leave: new Set(), sync: new Set() };
      this.channels.set(channel, entry);
    }
    return entry;
  }

  private call<T>(listeners: Set<(value: T) => void>, value: T): void {
    for (const listener of [...listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.host.error(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}

// The well-formed members of a diff's list (a server of another version may send less).
function members(list: unknown): PresenceEventData[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((m): m is { key: string; info?: unknown } => typeof m?.key === 'string')
    .map(({ key, info }) => ({ key, info: info ?? null }));
}
