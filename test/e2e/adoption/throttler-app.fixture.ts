// An app with a global ThrottlerGuard (APP_GUARD) beside the channels, run as a child process
// (compiled by compileFixture): @nestjs/throttler is CommonJS and requires the ESM-only
// @nestjs/common, which Node does and Jest's module runtime does not.
// THROTTLE_CHANNELS=skip: `skipIf: isChannelsContext` (the documented recipe); else counted.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { SkipThrottle, ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import {
  ChannelGateway,
  ChannelsModule,
  isChannelsContext,
  MessageBody,
  OnMessage,
} from '../../../lib/index.js';
import { listenAndPrintPort } from '../../support/fixture-app.js';
import { ChatGateway } from '../protocol/chat.gateways.js';

/** ThrottlerGuard's limit: requests a minute per client. */
export const THROTTLER_LIMIT = 3;
/** The module's own message budget: commands a minute per connection. */
export const MESSAGE_POINTS = 5;

@Controller()
class PingController {
  @Get('ping')
  ping() {
    return 'pong';
  }
}

/** A gateway the throttler is told to skip, the usual way. */
@ChannelGateway()
@SkipThrottle()
class UnthrottledGateway {
  @OnMessage('free')
  free(@MessageBody() data: unknown) {
    return data;
  }
}

@Module({
  imports: [
    ThrottlerModule.forRoot({
      throttlers: [{ ttl: 60_000, limit: THROTTLER_LIMIT }],
      skipIf: process.env.THROTTLE_CHANNELS === 'skip' ? isChannelsContext : undefined,
    }),
    ChannelsModule.forRoot({
      rateLimits: { message: { points: MESSAGE_POINTS, durationMs: 60_000 } },
    }),
  ],
  controllers: [PingController],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }, ChatGateway, UnthrottledGateway],
})
class AppModule {}

if (process.env.THROTTLE_CHANNELS) await listenAndPrintPort(AppModule);
