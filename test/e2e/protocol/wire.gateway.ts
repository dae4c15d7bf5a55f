// A gateway for the encoding specs: byte arrays in and out, a validated command, open feeds.
import { IsString, Length } from 'class-validator';
import { ChannelGateway, MessageBody, OnJoin, OnMessage } from '../../../lib/index.js';

export class LabelDto {
  @IsString() @Length(1, 10) label!: string;
}

@ChannelGateway()
export class WireGateway {
  @OnJoin('feed:{id}')
  canJoin() {
    return true;
  }

  // Answers with what it got, and whether `bytes` reached the handler as bytes.
  @OnMessage('bytes.echo')
  echo(@MessageBody() data: { bytes?: unknown }) {
    return { echo: data, handlerSawBytes: Buffer.isBuffer(data?.bytes) };
  }

  @OnMessage('label')
  label(@MessageBody() dto: LabelDto) {
    return `label ${dto.label}`;
  }
}
