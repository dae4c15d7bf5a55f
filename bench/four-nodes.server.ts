// A node of the four-node run (`four-nodes.ts`): the module through Redis (BENCH_REDIS_URL) as
// a service runs it: pushes published from a controller (`POST /push`), a broadcast channel
// (`bench`) and a presence channel pattern (`room:{id}`); every connection is its own
// principal (presence counts principals), named at the handshake. The per-IP caps are lifted
// (one client host opens every socket). Speaks the harness's IPC (stats: CPU, RSS, delay).
import 'reflect-metadata';
import { Injectable, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { ChannelGateway, ChannelsModule, OnJoin, type HandshakeClient } from '../lib/index.js';
import { PushController } from './servers/push.controller.js';
import { serveHarness } from './servers/server.protocol.js';

let named = 0;

@Injectable()
class NameGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const client = context.switchToWs().getClient<HandshakeClient<{ id: string }>>();
    client.principal ??= { id: `${process.pid}-${++named}` };
    return true;
  }
}

@ChannelGateway()
class NodeGateway {
  @OnJoin('bench')
  joinBroadcast() {
    return true;
  }

  @OnJoin('room:{id}', { presence: true })
  joinRoom() {
    return true;
  }
}

@Module({
  imports: [
    ChannelsModule.forRoot({
      auth: { handshakeGuards: [NameGuard] },
      limits: { maxConnectionsPerIp: Infinity, maxBufferedBytes: 64 * 1024 * 1024 },
      rateLimits: { connection: false },
      stores: { redis: { url: process.env.BENCH_REDIS_URL! } },
    }),
  ],
  controllers: [PushController],
  providers: [NodeGateway, NameGuard],
})
class FourNodesModule {}

const app = await NestFactory.create(FourNodesModule, { logger: false });
await app.listen(0, '127.0.0.1');
serveHarness(app.getHttpServer() as Server);
