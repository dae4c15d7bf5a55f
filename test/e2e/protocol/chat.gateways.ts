// Chat gateways: ChatGateway runs every kind of Nest handler (guards, interceptors, pipes,
// filters, errors) for the protocol specs; RoomsGateway is a plain chat behind a token guard.
import {
  CallHandler,
  CanActivate,
  Catch,
  ExceptionFilter,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  Injectable,
  NestInterceptor,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  type ArgumentsHost,
  type PipeTransform,
} from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { IsString, Length } from 'class-validator';
import { map } from 'rxjs';
import {
  ChannelGateway,
  ChannelParam,
  ChannelsService,
  ConnectedClient,
  MessageBody,
  OnJoin,
  OnMessage,
  type Connection,
} from '../../../lib/index.js';
import { tokenGuard, userNamedByToken } from '../../support/token.guard.js';

export class SendDto {
  @IsString() @Length(1, 20) roomId!: string;
  @IsString() @Length(1, 200) text!: string;
}

@Injectable()
export class DenyFlagGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const data = context.switchToWs().getData<{ deny?: boolean } | undefined>();
    return !data?.deny;
  }
}

@Injectable()
export class WrapInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler) {
    return next.handle().pipe(map((value) => ({ wrapped: value })));
  }
}

export class UpperPipe implements PipeTransform {
  transform(value: unknown) {
    return typeof value === 'string' ? value.toUpperCase() : value;
  }
}

@Catch(WsException)
export class ReplyFilter implements ExceptionFilter {
  catch(exception: WsException, _host: ArgumentsHost) {
    return { filtered: exception.message };
  }
}

@ChannelGateway()
export class ChatGateway {
  constructor(private readonly channels: ChannelsService) {}

  @OnJoin('room:{roomId}')
  canJoin(@ConnectedClient() client: Connection, @ChannelParam('roomId') roomId: string) {
    return client.transport === 'websocket' && roomId !== 'secret';
  }

  @OnMessage('echo')
  echo(@MessageBody() data: unknown) {
    return data;
  }

  @OnMessage('message.send')
  async send(@MessageBody() dto: SendDto, @ConnectedClient() client: Connection) {
    await this.channels.publish(
      `room:${dto.roomId}`,
      'message.new',
      { text: dto.text },
      { except: client.id },
    );
    return { ok: true, isDto: dto instanceof SendDto };
  }

  @OnMessage('slow')
  async slow(@MessageBody('ms') ms: number, @MessageBody('n') n: number) {
    await new Promise((r) => setTimeout(r, ms));
    return n;
  }

  @OnMessage('nothing')
  nothing() {}

  @OnMessage('throws')
  throws() {
    throw new Error('database password is hunter2');
  }

  @OnMessage('rejects')
  async rejects() {
    throw new ForbiddenException('not yours');
  }

  @OnMessage('http-error')
  httpError(@MessageBody('status') status: number) {
    throw new HttpException(`status ${status}`, status);
  }

  @OnMessage('ws-error')
  wsError() {
    throw new WsException('custom ws failure');
  }

  @OnMessage('guarded')
  @UseGuards(DenyFlagGuard)
  guarded() {
    return 'passed';
  }

  @OnMessage('intercepted')
  @UseInterceptors(WrapInterceptor)
  intercepted() {
    return 42;
  }

  @OnMessage('piped')
  @UsePipes(UpperPipe)
  piped(@MessageBody('word') word: string) {
    return word;
  }

  @OnMessage('filtered')
  @UseFilters(ReplyFilter)
  filtered() {
    throw new WsException('caught by filter');
  }
}

// The chat rooms the specs of nestjs-channels/testing (../testing) run against: behind a token
// guard, with a DTO, and a service that publishes.

/** A user, as the token guard reads them. */
export interface User {
  id: string;
}

/** Tokens are user names; `banned` is known but forbidden. */
export const TokenGuard = tokenGuard(userNamedByToken);

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
