import { UseGuards } from '@nestjs/common';
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
import {
  broadcastChannel,
  listCommand,
  markReadCommand,
  userChannel,
} from './notifications.contract.js';
import { MarkReadDto } from './notifications.dto.js';
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
  constructor(private readonly store: NotificationStore) {}

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
  @OnJoin(statusChannel, { delivery: 'latest' })
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
}
