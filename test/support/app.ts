import type { INestApplication, ModuleMetadata, NestApplicationOptions } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';

/**
 * Starts a Nest app on 127.0.0.1, port 0; returns it with its ws:// and http:// base URLs
 * (wss:// and https:// when `appOptions.httpsOptions` is given).
 */
export async function startApp(
  metadata: ModuleMetadata,
  appOptions: NestApplicationOptions = {},
): Promise<{ app: INestApplication; ws: string; http: string }> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication({ logger: false, ...appOptions });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const secure = appOptions.httpsOptions ? 's' : '';
  return { app, ws: `ws${secure}://127.0.0.1:${port}`, http: `http${secure}://127.0.0.1:${port}` };
}
