import type { INestApplication, ModuleMetadata, NestApplicationOptions } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test, type TestingModule } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';

/** The HTTP platforms the module runs on; HTTP-facing suites run on each (`describe.each`). */
export const PLATFORMS = ['express', 'fastify'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** How a test app is built: its platform, and the platform's own proxy setting. */
export interface PlatformOptions {
  /** @default 'express' */
  platform?: Platform;
  /** Express's `app.set('trust proxy', …)`, or Fastify's `new FastifyAdapter({ trustProxy })`. */
  trustProxy?: unknown;
}

/** `moduleRef`'s app on `platform`, with the platform's own `trustProxy` setting if given. */
export async function createPlatformApp(
  moduleRef: TestingModule,
  appOptions: NestApplicationOptions = {},
  { platform = 'express', trustProxy }: PlatformOptions = {},
): Promise<INestApplication> {
  const options = { logger: false as const, ...appOptions };
  if (platform === 'fastify') {
    // Loaded only here: the other suites do not pay for Fastify.
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    const adapter = new FastifyAdapter(trustProxy === undefined ? {} : ({ trustProxy } as never));
    return moduleRef.createNestApplication(adapter, options);
  }
  const app = moduleRef.createNestApplication<NestExpressApplication>(options);
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);
  return app;
}

/**
 * Starts a Nest app on 127.0.0.1, port 0 (on Express, or the platform given); returns it with
 * its ws:// and http:// base URLs (wss:// and https:// when `appOptions.httpsOptions` is given).
 */
export async function startApp(
  metadata: ModuleMetadata,
  appOptions: NestApplicationOptions = {},
  platform: PlatformOptions = {},
): Promise<{ app: INestApplication; ws: string; http: string }> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = await createPlatformApp(moduleRef, appOptions, platform);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const secure = appOptions.httpsOptions ? 's' : '';
  return { app, ws: `ws${secure}://127.0.0.1:${port}`, http: `http${secure}://127.0.0.1:${port}` };
}
