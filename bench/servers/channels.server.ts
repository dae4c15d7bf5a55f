// This module, in memory, the way a service uses it: a controller publishes one push per
// request through ChannelsService; a gateway authorizes joins and answers a validated,
// guarded, rate-limited echo.
import { Injectable, Module, UseGuards, type CanActivate } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import { ChannelGateway, ChannelsModule, MessageBody, OnJoin, OnMessage } from '../../lib/index.js';
import { ChannelsMetricsModule } from '../../lib/metrics/index.js';
import { ChannelsTracingModule } from '../../lib/tracing/index.js';
import { benchTracerProvider } from './tracing.provider.js';
import { EchoDto } from './echo.dto.js';
import { PushController } from './push.controller.js';
import { serveHarness } from './server.protocol.js';

@Injectable()
class AllowGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@UseGuards(AllowGuard)
@ChannelGateway()
class BenchGateway {
  // Deltas allowed: only the `wire` scenario's delta subscribers ask for them.
  @OnJoin('bench', { delta: true })
  joinOne() {
    return true;
  }

  @OnJoin('bench:{n}')
  joinMany() {
    return true;
  }

  // The slow-readers scenario: a reader that falls behind gets the newest push only.
  @OnJoin('ticker', { delivery: 'latest' })
  joinTicker() {
    return true;
  }

  @OnMessage('echo')
  echo(@MessageBody() dto: EchoDto) {
    return dto;
  }
}

@Module({
  imports: [
    ChannelsModule.forRoot({
      // One client host on purpose: the per-IP caps that protect a public server would only
      // measure themselves here. The message rate limit stays on (its budget is never hit).
      limits: {
        // The slow-readers scenario sets a realistic limit (the module's default, 1 MiB).
        maxBufferedBytes: Number(process.env.BENCH_MAX_BUFFERED_BYTES ?? 64 * 1024 * 1024),
        maxConnectionsPerIp: Infinity,
      },
      rateLimits: {
        connection: false,
        message: { points: 1_000_000_000, durationMs: 1000 },
      },
      heartbeat: { intervalMs: Number(process.env.BENCH_HEARTBEAT_MS ?? 25_000) },
      sse: { heartbeatMs: 3_600_000 },
      // permessage-deflate for the clients that offer it (the channels-deflate contender).
      compression: { enabled: process.env.BENCH_COMPRESSION === '1' },
      // Two nodes through Redis when the bench gives a URL (the channels-redis contender).
      ...(process.env.BENCH_REDIS_URL
        ? { stores: { redis: { url: process.env.BENCH_REDIS_URL } } }
        : {}),
    }),
    // With CHANNELS_METRICS set (on or off, which the metrics module reads itself) the
    // metrics module is imported, with its own registry; unset, it is not there at all.
    ...(process.env.CHANNELS_METRICS
      ? [ChannelsMetricsModule.forRoot({ registry: new Registry() })]
      : []),
    // With CHANNELS_TRACING=on the tracing module is imported, recording every span.
    ...(process.env.CHANNELS_TRACING === 'on'
      ? [ChannelsTracingModule.forRoot({ tracerProvider: benchTracerProvider() })]
      : []),
  ],
  controllers: [PushController],
  providers: [BenchGateway, AllowGuard],
})
class ChannelsBenchModule {}

export async function startChannels(): Promise<void> {
  const app = await NestFactory.create(ChannelsBenchModule, { logger: false });
  // BENCH_PORT: a restarted node listens where its clients reconnect (the reconnect storm);
  // BENCH_BACKLOG: its listen queue, where set (Node's default 511; somaxconn caps it).
  const port = Number(process.env.BENCH_PORT ?? 0);
  const server = app.getHttpServer() as Server;
  if (process.env.BENCH_BACKLOG) {
    const backlog = Number(process.env.BENCH_BACKLOG);
    await app.init();
    await new Promise<void>((resolve) =>
      server.listen({ port, host: '127.0.0.1', backlog }, resolve),
    );
  } else await app.listen(port, '127.0.0.1');
  serveHarness(server);
}
