import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';

/**
 * Runs a fixture's app as a child process of a test (see compileFixture), on Express (or on
 * Fastify with `CHANNELS_TEST_PLATFORM=fastify`): Nest's shutdown hooks
 * on (SIGTERM shuts it down gracefully), listening on a free port of 127.0.0.1, which it prints
 * as `PORT <n>` for startNodeProcess's `ready`.
 */
export async function listenAndPrintPort(module: Type): Promise<void> {
  const options = { logger: ['error', 'warn'] as ('error' | 'warn')[] };
  // CHANNELS_TEST_PLATFORM=fastify: the same app on Fastify (see PLATFORMS in app.ts).
  const app =
    process.env.CHANNELS_TEST_PLATFORM === 'fastify'
      ? await NestFactory.create(
          module,
          new (await import('@nestjs/platform-fastify')).FastifyAdapter(),
          options,
        )
      : await NestFactory.create(module, options);
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`PORT ${(app.getHttpServer().address() as AddressInfo).port}\n`);
}

/** What {@link listenAndPrintPort} prints, for `startNodeProcess(..., { ready: PRINTED_PORT })`. */
export const PRINTED_PORT = /PORT (\d+)/;
