import type { PresenceMember, PresenceSubscription } from '../../lib/client/index.js';

/** What a member of `broadcast` shares (the gateway's `info`). */
export interface OnlineInfo {
  userId: string;
}

/** Who is online: the members of `broadcast`, kept current by its presence events. */
export class OnlineModel {
  private readonly members = new Map<string, OnlineInfo>();

  /** The user ids, sorted. */
  get userIds(): string[] {
    return [...this.members.values()].map((info) => info.userId).sort();
  }

  replace(members: PresenceMember<OnlineInfo>[]): void {
    this.members.clear();
    for (const { key, info } of members) this.members.set(key, info);
  }

  add(key: string, info: OnlineInfo): void {
    this.members.set(key, info);
  }

  remove(key: string): void {
    this.members.delete(key);
  }
}

/**
 * Keeps `model` in step with the channel's presence: the list now, each join and leave, and
 * the list fetched anew after a reconnect (join and leave events are not replayed). Calls
 * `render` after every change.
 */
export async function trackOnline(
  room: PresenceSubscription<OnlineInfo>,
  model: OnlineModel,
  render: (model: OnlineModel) => void,
): Promise<void> {
  room.onJoin(({ key, info }) => (model.add(key, info), render(model)));
  room.onLeave(({ key }) => (model.remove(key), render(model)));
  room.onSync((members) => (model.replace(members), render(model)));
  model.replace(await room.presence());
  render(model);
}
