import {
  Injectable,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { IsString, Length } from 'class-validator';
import {
  ChannelGateway,
  ChannelParam,
  ChannelsException,
  ChannelsService,
  ConnectedClient,
  ErrorCode,
  MessageBody,
  OnJoin,
  OnMessage,
  type HandshakeClient,
  type Connection,
} from '../../../lib/index.js';

export interface User {
  id: string;
}

/** Tokens are user names; `banned` authenticates but is refused; anything else is 401. */
@Injectable()
export class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const client = context.switchToWs().getClient<HandshakeClient<User>>();
    const token = client.handshake.token;
    if (token === 'banned') return false;
    if (token !== 'alice' && token !== 'bob') throw new UnauthorizedException('Who are you?');
    client.principal ??= { id: token };
    return true;
  }
}

export class NoteDto {
  @IsString() @Length(1, 20) title!: string;
}

@ChannelGateway()
@UseGuards(TokenGuard)
export class SseGateway {
  constructor(private readonly channels: ChannelsService) {}

  @OnJoin('room:{roomId}')
  canJoinRoom(@ChannelParam('roomId') roomId: string) {
    return roomId !== 'secret';
  }

  @OnJoin('user:{userId}')
  canJoinUser(@ConnectedClient() client: Connection<User>, @ChannelParam('userId') userId: string) {
    return client.principal?.id === userId;
  }

  @OnMessage('echo')
  echo(@MessageBody() data: unknown) {
    return data;
  }

  @OnMessage('whoami')
  whoami(@ConnectedClient() client: Connection<User>) {
    return {
      id: client.id,
      transport: client.transport,
      user: client.principal?.id,
      channels: [...client.subscriptions],
    };
  }

  @OnMessage('note')
  note(@MessageBody() dto: NoteDto) {
    return { title: dto.title, isDto: dto instanceof NoteDto };
  }

  @OnMessage('shout')
  async shout(
    @MessageBody() data: { channel: string; text: string },
    @ConnectedClient() client: Connection,
  ) {
    await this.channels.publish(data.channel, 'shout', { text: data.text }, { except: client.id });
  }

  /** How many `slow` commands have started: lets a test act while one is in flight. */
  static slowStarted = 0;

  @OnMessage('slow')
  async slow(@MessageBody('ms') ms: number) {
    SseGateway.slowStarted++;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return 'done';
  }

  @OnMessage('throws')
  throws() {
    throw new Error('database password is hunter2');
  }

  @OnMessage('limited')
  limited() {
    throw new ChannelsException(ErrorCode.RATE_LIMITED, 'Slow down.', { retryAfterMs: 1500 });
  }
}

export const AUTH = (user: string) => ({ Authorization: `Bearer ${user}` });

export { PublishController } from '../../support/publish.controller.js';
