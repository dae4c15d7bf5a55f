import {
  Body,
  Controller,
  Post,
  UseFilters,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ChannelsHttpExceptionFilter, ChannelsService } from '../../../lib/index.js';
import { DemoAuthGuard } from '../auth/demo-auth.guard.js';
import { NotificationStore } from './notification.store.js';
import { CreateAnnouncementDto, CreateNotificationDto } from './notifications.dto.js';
import { StatusTracker } from './status.tracker.js';

/**
 * The HTTP side: other services (or curl) create notifications and announcements; the
 * channels carry them to the browsers. In the demo anyone signed in may notify anyone. While
 * Redis is away (with `REDIS_URL`) both answer 503 with `Retry-After`, the store and the
 * publish being `UNAVAILABLE` (`ChannelsHttpExceptionFilter`).
 */
@Controller()
@UseGuards(DemoAuthGuard)
@UseFilters(ChannelsHttpExceptionFilter)
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
export class NotificationsController {
  constructor(
    private readonly store: NotificationStore,
    private readonly channels: ChannelsService,
    private readonly status: StatusTracker,
  ) {}

  @Post('notifications')
  async notify(@Body() dto: CreateNotificationDto): Promise<{ id: string }> {
    const { id, title, body, createdAt } = await this.store.add(dto.userId, {
      title: dto.title,
      body: dto.body ?? '',
    });
    await this.channels.publish(`user:${dto.userId}`, 'notification', {
      id,
      title,
      body,
      createdAt,
    });
    await this.status.record('notification', title);
    return { id };
  }

  @Post('announcements')
  async announce(@Body() dto: CreateAnnouncementDto): Promise<{ id: string }> {
    const announcement = {
      id: randomUUID(),
      title: dto.title,
      createdAt: new Date().toISOString(),
    };
    await this.channels.publish('broadcast', 'announcement', announcement);
    await this.status.record('announcement', announcement.title);
    return { id: announcement.id };
  }
}
