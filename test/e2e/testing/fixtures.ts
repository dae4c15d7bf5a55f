import {
  Injectable,
  UnauthorizedException,
  ForbiddenException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { IsString, Length } from 'class-validator';
import {
  ChannelGateway,
  ChannelParam,
  ChannelsService,
  ConnectedClient,
  MessageBody,
  OnJoin,
  OnMessage,
  type HandshakeClient,
  type Connection,
} from 'nestjs-channels';

/** A user, as the token guard reads them. */
export interface User {
  id: string;
}

/** Tokens are user names; `banned` is known but forbidden. */
@Injectable()
export class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const client = context.switchToWs().getClient<HandshakeClient<User>>();
    if (client.principal) return true;
    const token = client.handshake.token;
    if (token === 'banned') throw new ForbiddenException('Banned.');
    if (!token) throw new UnauthorizedException('Who are you?');
    client.principal = { id: token };
    return true;
  }
}

export class ChatDto {
  @IsString() @Length(1, 20) room!: string;
  @IsString() @Length(1, 100) text!: string;
}

@ChannelGateway()
@UseGuards(TokenGuard)
export class RoomsGateway {
  constructor(private readonly channels: ChannelsService) {}

  @OnJoin('room:{room}')
  join(@ChannelParam('room') room: string) {
    return room !== 'secret';
  }

  @OnMessage('chat.send')
  async send(@MessageBody() dto: ChatDto, @ConnectedClient() client: Connection<User>) {
    await this.channels.publish(`room:${dto.room}`, 'chat', {
      from: client.principal!.id,
      text: dto.text,
    });
    return { sent: true };
  }
}

/** A service that publishes, for the recording adapter's tests. */
@Injectable()
export class Notifier {
  constructor(private readonly channels: ChannelsService) {}

  async notify(userId: string, text: string): Promise<void> {
    await this.channels.publish(`user:${userId}`, 'notification', { text });
  }
}
