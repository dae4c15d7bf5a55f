import { Body, Controller, Post } from '@nestjs/common';
import { ChannelsService } from '../../lib/index.js';
import type { PushRequest } from './server.protocol.js';

/**
 * The bench's `POST /push`: one push per request, published through `ChannelsService` as a
 * service publishes from its own request handlers (the module's bench servers share it).
 */
@Controller()
export class PushController {
  constructor(private readonly channels: ChannelsService) {}

  @Post('push')
  async push(@Body() body: PushRequest) {
    await this.channels.publish(body.channel, 'push', body.data);
    return {};
  }
}
