// A node of the presence storm (`presence-storm.ts`): the module with one presence channel
// pattern (`room:{id}`, join and leave pushes on), principals named by their bearer token,
// the per-IP caps lifted (one client host opens every socket), and Redis when
// BENCH_REDIS_URL is set. Speaks the harness's IPC (stats: CPU, RSS, event-loop delay).
import 'reflect-metadata';
import { Injectable, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { ChannelGateway, ChannelsModule, OnJoin, type HandshakeClient } from '../lib/index.js';
import { serveHarness } from './servers/server.protocol.js';

@Injectable()
class NameGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const client = context.switchToWs().getClient<HandshakeClient<{ id: string }>>();
    if (client.principal !== undefined) return true;
    if (!client.handshake.token) return false;
    client.principal = { id: client.handshake.token };
    return true;
  }
}

@ChannelGateway()
class StormGateway {
  @OnJoin('room:{id}', {
    presence: { joinLeave: true, info: (user: { id: string }) => ({ userId: user.id }) },
  })
  canJoin() {
    return true;
  }
}

@Module({
  imports: [
    ChannelsModule.forRoot({
      auth: { handshakeGuards: [NameGuard] },
      limits: { maxConnectionsPerIp: Infinity },
      rateLimits: { connection: false, handshakeAdmission: false },
      ...(process.env.BENCH_REDIS_URL
        ? { stores: { redis: { url: process.env.BENCH_REDIS_URL } } }
        : {}),
    }),
  ],
  providers: [StormGateway, NameGuard],
})
class StormModule {}

const app = await NestFactory.create(StormModule, { logger: false });
await app.listen(0, '127.0.0.1');
serveHarness(app.getHttpServer() as Server);
