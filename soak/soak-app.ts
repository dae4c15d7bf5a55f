import {
  Injectable,
  Module,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import {
  ChannelGateway,
  ChannelsModule,
  MessageBody,
  OnJoin,
  OnMessage,
  type HandshakeClient,
} from '../lib/index.js';

// Credentials that outlive any run (20 days and a random part, so that no two connections
// share an expiry delay): what made a closed connection's expiry timer linger.
const LONG_CREDENTIALS_MS = 20 * 24 * 3_600_000;

/** Every client is user `<token>`, with long-lived credentials. */
@Injectable()
class LongTokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const client = context.switchToWs().getClient<HandshakeClient>();
    if (client.principal !== undefined) return true;
    client.principal = {
      id: client.handshake.token ?? 'anonymous',
      expiresAt: Date.now() + LONG_CREDENTIALS_MS + Math.floor(Math.random() * 3_600_000),
    };
    return true;
  }
}

@ChannelGateway()
@UseGuards(LongTokenGuard)
class SoakGateway {
  @OnJoin('feed')
  join() {
    return true;
  }

  @OnMessage('echo')
  echo(@MessageBody() data: unknown) {
    return data ?? null;
  }
}

@Module({
  imports: [
    ChannelsModule.forRoot({
      limits: { maxConnectionsPerIp: 100_000, maxConnectionsPerPrincipal: 100_000 },
      rateLimits: { connection: false, message: false },
    }),
  ],
  providers: [LongTokenGuard, SoakGateway],
})
class SoakModule {}

/**
 * Starts the soak and churn app on 127.0.0.1, port 0: one `feed` channel anyone may join, an
 * `echo` command, credentials valid for 20 days.
 * @example const { app, port } = await startSoakApp();
 */
export async function startSoakApp(): Promise<{ app: INestApplication; port: number }> {
  const app = await NestFactory.create(SoakModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  return { app, port: (app.getHttpServer().address() as AddressInfo).port };
}

/** Heap used after full collections, in bytes (needs `node --expose-gc`). */
export async function settledHeap(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('Run with node --expose-gc.');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}
