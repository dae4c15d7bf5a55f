import { Inject, UseGuards } from '@nestjs/common';
import {
  ChannelGateway,
  ChannelParam,
  ConnectedClient,
  MessageBody,
  OnJoin,
  OnMessage,
  type Connection,
} from '../../../lib/index.js';
import { DemoAuthGuard } from '../auth/demo-auth.guard.js';
import type { DemoPrincipal } from '../auth/demo-token.service.js';
import { NotificationStore, type NotificationPage } from './notification.store.js';
import { SAMPLE_CONFIG, type SampleConfig } from '../sample.config.js';
import {
  broadcastChannel,
  digestCommand,
  listCommand,
  markReadCommand,
  userChannel,
} from './notifications.contract.js';
import { DigestDto, MarkReadDto } from './notifications.dto.js';
import { statusChannel } from './status.contract.js';

/** How many notifications `notifications.list` returns. */
const PAGE_SIZE = 50;

/**
 * The channels side. The class guard runs at the handshake (no valid token, no connection:
 * close 4401) and again for every join and command.
 */
@ChannelGateway()
@UseGuards(DemoAuthGuard)
export class NotificationsGateway {
  constructor(
    private readonly store: NotificationStore,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  /** `user:<id>` is private to that user. */
  @OnJoin(userChannel)
  canJoinOwnChannel(
    @ConnectedClient() client: Connection<DemoPrincipal>,
    @ChannelParam('userId') userId: string,
  ): boolean {
    return client.principal?.userId === userId;
  }

  /** `broadcast` is open to every signed-in user, and shows who is online. */
  @OnJoin(broadcastChannel, {
    presence: { joinLeave: true, info: (user: DemoPrincipal) => ({ userId: user.userId }) },
  })
  canJoinBroadcast(): boolean {
    return true;
  }

  /** `status` is open to every signed-in user; a tab that falls behind gets the newest only. */
  @OnJoin(statusChannel, { delivery: 'latest', delta: true })
  canJoinStatus(): boolean {
    return true;
  }

  @OnMessage(markReadCommand)
  async markRead(
    @ConnectedClient() client: Connection<DemoPrincipal>,
    @MessageBody() dto: MarkReadDto,
  ): Promise<{ unread: number }> {
    return { unread: await this.store.markRead(client.principal!.userId, dto.ids) };
  }

  @OnMessage(listCommand)
  list(@ConnectedClient() client: Connection<DemoPrincipal>): Promise<NotificationPage> {
    return this.store.list(client.principal!.userId, PAGE_SIZE);
  }

  /**
   * A streamed reply: the words of a short text summing up the caller's latest notifications,
   * `SAMPLE_DIGEST_TOKEN_MS` apart. The text depends only on the notifications, so the same
   * notifications give the same words.
   */
  @OnMessage(digestCommand)
  async *digest(
    @ConnectedClient() client: Connection<DemoPrincipal>,
    @MessageBody() dto: DigestDto,
  ): AsyncGenerator<string> {
    const page = await this.store.list(client.principal!.userId, dto.limit ?? 10);
    const titles = page.items.map((item) => item.title).join(', ');
    const text =
      page.items.length === 0 ? 'No notifications yet.' : `${page.unread} unread: ${titles}`;
    for (const word of text.split(/\s+/).filter(Boolean)) {
      await new Promise((resolve) => setTimeout(resolve, this.config.digestTokenMs));
      yield word;
    }
  }
}
