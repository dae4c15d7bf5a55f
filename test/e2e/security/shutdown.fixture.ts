// A small Nest app for the SIGTERM test, run as a child process (compiled by compileFixture):
// it broadcasts to the channel `feed` every 5 ms until it shuts down, and prints its port.
import 'reflect-metadata';
import {
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import {
  ChannelGateway,
  ChannelsModule,
  ChannelsService,
  OnJoin,
  OnMessage,
} from '../../../lib/index.js';

@ChannelGateway()
class FeedGateway {
  @OnJoin('feed')
  canJoin() {
    return true;
  }

  @OnMessage('ping')
  ping() {
    return 'pong';
  }
}

@Injectable()
class Broadcaster implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private n = 0;

  constructor(private readonly channels: ChannelsService) {}

  onApplicationBootstrap() {
    this.timer = setInterval(() => void this.channels.publish('feed', 'tick', { n: ++this.n }), 5);
  }

  onApplicationShutdown() {
    clearInterval(this.timer);
  }
}

@Module({
  imports: [
    ChannelsModule.forRoot({
      limits: { maxConnectionsPerIp: 1_000 },
      rateLimits: { connection: false },
      shutdown: { timeoutMs: 5_000 },
    }),
  ],
  providers: [FeedGateway, Broadcaster],
})
class AppModule {}

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
process.stdout.write(`PORT ${(app.getHttpServer().address() as AddressInfo).port}\n`);
