// A small Nest app for the shutdown-loop test, run as a child process (compiled by
// compileFixture): a `slow` command keeps the drain going while requests keep arriving.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { ChannelGateway, ChannelsModule, MessageBody, OnMessage } from '../../../lib/index.js';

@ChannelGateway()
class SlowGateway {
  @OnMessage('ping')
  ping() {
    return 'pong';
  }

  @OnMessage('slow')
  async slow(@MessageBody('ms') ms: number) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return 'done';
  }
}

@Module({
  imports: [
    ChannelsModule.forRoot({
      limits: { maxConnectionsPerIp: 10_000 },
      rateLimits: { connection: false, message: false },
      shutdown: { timeoutMs: 5_000 },
    }),
  ],
  providers: [SlowGateway],
})
class AppModule {}

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
process.stdout.write(`PORT ${(app.getHttpServer().address() as AddressInfo).port}\n`);
