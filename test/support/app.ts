import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';

/** Starts a Nest app on 127.0.0.1, port 0; returns it with its ws:// and http:// base URLs. */
export async function startApp(metadata: ModuleMetadata): Promise<{ app: INestApplication; ws: string; http: string }> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, ws: `ws://127.0.0.1:${port}`, http: `http://127.0.0.1:${port}` };
}
