import { Body, Controller, Post } from '@nestjs/common';
import { ChannelsService } from '../../lib/index.js';

/** Publishes through a plain HTTP route, beside the channel endpoints: `POST /publish`. */
@Controller('publish')
export class PublishController {
  constructor(private readonly channels: ChannelsService) {}

  @Post()
  async publish(@Body() body: { channel: string; event: string; data: unknown }) {
    const push = await this.channels.publish(body.channel, body.event, body.data);
    return { offset: push.offset, epoch: push.epoch };
  }
}
