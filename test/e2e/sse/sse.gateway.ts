import { UnauthorizedException, UseGuards, type ModuleMetadata } from '@nestjs/common';
import { IsString, Length } from 'class-validator';
import {
  ChannelGateway,
  ChannelParam,
  ChannelsException,
  ChannelsModule,
  ChannelsService,
  ConnectedClient,
  ErrorCode,
  MessageBody,
  OnJoin,
  OnMessage,
  type ChannelsModuleOptions,
  type Connection,
} from '../../../lib/index.js';
import { startApp, type Platform } from '../../support/app.js';
import { tokenGuard } from '../../support/token.guard.js';

export interface User {
  id: string;
}

/** Tokens are user names; `banned` authenticates but is refused; anything else is 401. */
export const TokenGuard = tokenGuard<User>((token) => {
  if (token === 'banned') return false;
  if (token !== 'alice' && token !== 'bob') throw new UnauthorizedException('Who are you?');
  return { id: token };
});

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

/**
 * Starts an app with `ChannelsModule.forRoot(options)` and the SSE gateway (`controllers` too),
 * on Express or the `platform` given.
 * @returns the app, its base URLs (`base` is `http`) and its ChannelsService
 */
export async function startSseApp(
  options: ChannelsModuleOptions = {},
  controllers: ModuleMetadata['controllers'] = [],
  platform: Platform = 'express',
) {
  const { app, ws, http } = await startApp(
    { imports: [ChannelsModule.forRoot(options)], providers: [SseGateway], controllers },
    {},
    { platform },
  );
  return { app, ws, http, base: http, channels: app.get(ChannelsService) };
}
