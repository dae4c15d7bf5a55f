// A small Nest app for the graceful-shutdown SIGTERM test, run as a child process (compiled by
// compileFixture): it broadcasts to the channel `feed` every 5 ms until it shuts down.
import 'reflect-metadata';
import {
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  ChannelGateway,
  ChannelsModule,
  ChannelsService,
  OnJoin,
  OnMessage,
} from '../../../lib/index.js';
import { listenAndPrintPort } from '../../support/fixture-app.js';

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

await listenAndPrintPort(AppModule);
