// A small Nest app for the requests-across-SIGTERM test, run as a child process (compiled by
// compileFixture): a `slow` command keeps the drain going while requests keep arriving.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { ChannelGateway, ChannelsModule, MessageBody, OnMessage } from '../../../lib/index.js';
import { listenAndPrintPort } from '../../support/fixture-app.js';

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

await listenAndPrintPort(AppModule);
