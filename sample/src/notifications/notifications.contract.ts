// The sample's channel contract, declared once: the gateway (@OnJoin, @OnMessage), the
// publishes, the AsyncAPI document and the page's typed client all read it. The page imports
// only its types (`import type`), so none of this ships to the browser.
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsISO8601, IsString, Min, ValidateNested } from 'class-validator';
import { defineChannel, defineCommand, shape, type ApiOf } from '../../../lib/index.js';
import { DigestDto, MarkReadDto } from './notifications.dto.js';
import type { statusChannel } from './status.contract.js';

/** Push `notification` on `user:{userId}`. */
export class NotificationPush {
  @IsString() id!: string;
  @IsString() title!: string;
  @IsString() body!: string;
  /** ISO 8601. */
  @IsISO8601() createdAt!: string;
}

/** Push `announcement` on `broadcast`. */
export class AnnouncementPush {
  @IsString() id!: string;
  @IsString() title!: string;
  /** ISO 8601. */
  @IsISO8601() createdAt!: string;
}

/** One notification of the `notifications.list` reply. */
export class NotificationItem extends NotificationPush {
  @IsBoolean() read!: boolean;
}

/** Reply of `notifications.list`: the latest 50, newest first, and the unread count of all. */
export class NotificationPageReply {
  @ValidateNested({ each: true })
  @Type(() => NotificationItem)
  items!: NotificationItem[];

  @IsInt() @Min(0) unread!: number;
}

/** Reply of `notifications.markRead`: the unread count after marking. */
export class UnreadCountReply {
  @IsInt() @Min(0) unread!: number;
}

/** `user:{userId}`: that user's notifications; only that user may subscribe. */
export const userChannel = defineChannel(
  'user:{userId}',
  { notification: NotificationPush },
  {
    description: "A user's own notifications; only that user may subscribe.",
    parameters: { userId: 'The user id, 1 to 32 of a-z 0-9 _ -.' },
  },
);

/** `broadcast`: announcements to every signed-in user. */
export const broadcastChannel = defineChannel(
  'broadcast',
  { announcement: AnnouncementPush },
  { description: 'Announcements to every signed-in user.' },
);

/** Command `notifications.markRead`. */
export const markReadCommand = defineCommand('notifications.markRead', {
  payload: MarkReadDto,
  reply: UnreadCountReply,
  summary: "Marks some of the caller's notifications read.",
});

/** Command `notifications.list`. */
export const listCommand = defineCommand('notifications.list', {
  reply: NotificationPageReply,
  summary: "The caller's latest 50 notifications and unread count.",
});

/** Command `notifications.digest`: a streamed reply, one word (a string) per value. */
export const digestCommand = defineCommand('notifications.digest', {
  payload: DigestDto,
  reply: shape<string>({ type: 'string', description: 'One word of the digest.' }),
  stream: true,
  summary: "A short text summing up the caller's latest notifications, streamed word by word.",
});

/** The sample's API as a typed client sees it: `new ChannelsClient<NotificationsApi>(...)`. */
export type NotificationsApi = ApiOf<
  | typeof userChannel
  | typeof broadcastChannel
  | typeof statusChannel
  | typeof markReadCommand
  | typeof listCommand
  | typeof digestCommand
>;
