import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import {
  MessageBody as NestMessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { AddressInfo } from 'node:net';
import type { Server } from 'ws';
import {
  ChannelGateway,
  ChannelsModule,
  ChannelsService,
  MessageBody,
  OnJoin,
  OnMessage,
} from '../lib/index.js';

/** Nest's own gateway, written the way its docs suggest: broadcast by looping over clients. */
@WebSocketGateway({ path: '/nest' })
export class NestBaselineGateway {
  @WebSocketServer() server!: Server;

  @SubscribeMessage('echo')
  echo(@NestMessageBody() data: unknown) {
    return { event: 'echo', data };
  }

  broadcast(event: string, data: unknown): void {
    for (const client of this.server.clients) client.send(JSON.stringify({ event, data }));
  }
}

@ChannelGateway()
export class ChannelsBenchGateway {
  @OnJoin('bench')
  join() {
    return true;
  }

  @OnMessage('echo')
  echo(@MessageBody() data: unknown) {
    return data;
  }
}

@Module({
  imports: [
    ChannelsModule.forRoot({
      // A benchmark is one client host on purpose: the per-IP and per-connection limits that
      // protect a public server would only measure themselves here.
      maxBufferedBytes: 64 * 1024 * 1024,
      maxConnectionsPerIp: Infinity,
      connectionRateLimit: false,
      rateLimit: false,
    }),
  ],
  providers: [NestBaselineGateway, ChannelsBenchGateway],
})
class BenchModule {}

/** Both servers in one app, on one port: the comparison runs on the same machine and process. */
export async function startBenchApp(): Promise<{
  app: INestApplication;
  port: number;
  nest: NestBaselineGateway;
  channels: ChannelsService;
}> {
  const app = await NestFactory.create(BenchModule, { logger: false });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, port, nest: app.get(NestBaselineGateway), channels: app.get(ChannelsService) };
}
