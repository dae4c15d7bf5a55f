// A plain Nest gateway on @nestjs/platform-ws, written the way Nest's docs suggest: clients
// join a channel with a message, a controller broadcasts by looping over the channel's sockets,
// and the echo runs a guard and ValidationPipe on a DTO.
import {
  Body,
  Controller,
  Injectable,
  Module,
  Post,
  UseGuards,
  UsePipes,
  ValidationPipe,
  type CanActivate,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Server } from 'node:http';
import type { WebSocket } from 'ws';
import { EchoDto } from './echo.dto.js';
import { serveHarness, type PushRequest } from './server.protocol.js';

@Injectable()
class AllowGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@WebSocketGateway({ path: '/nest' })
class BroadcastGateway {
  private readonly channels = new Map<string, Set<WebSocket>>();

  @SubscribeMessage('join')
  join(@ConnectedSocket() socket: WebSocket, @MessageBody() data: { channel: string }) {
    let set = this.channels.get(data.channel);
    if (!set) this.channels.set(data.channel, (set = new Set()));
    set.add(socket);
    socket.once('close', () => set.delete(socket));
    return { event: 'joined', data: data.channel };
  }

  @UseGuards(AllowGuard)
  @UsePipes(new ValidationPipe())
  @SubscribeMessage('echo')
  echo(@MessageBody() dto: EchoDto) {
    return { event: 'echo', data: dto };
  }

  broadcast(channel: string, data: unknown): void {
    for (const socket of this.channels.get(channel) ?? [])
      socket.send(JSON.stringify({ event: 'push', data }));
  }
}

@Controller()
class PushController {
  constructor(private readonly gateway: BroadcastGateway) {}

  @Post('push')
  push(@Body() body: PushRequest) {
    this.gateway.broadcast(body.channel, body.data);
    return {};
  }
}

@Module({ controllers: [PushController], providers: [BroadcastGateway, AllowGuard] })
class NestWsModule {}

export async function startNestWs(): Promise<void> {
  const app = await NestFactory.create(NestWsModule, { logger: false });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  serveHarness(app.getHttpServer() as Server);
}
