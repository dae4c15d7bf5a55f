import type { INestApplication, NestApplicationOptions, Provider } from '@nestjs/common';
import { ChannelsModule, ChannelsService, type ChannelsModuleOptions } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { TestClient } from '../../support/ws-client.js';
import { OpenGateway, TokenGuard } from './fixtures.js';

/** A running app with the channels module, and what the tests need of it. */
export interface ChannelsApp {
  app: INestApplication;
  /** The WebSocket URL of the channels endpoint. */
  url: string;
  http: string;
  service: ChannelsService;
  /** Closes every client opened with {@link ChannelsApp.connect} / {@link ChannelsApp.open}. */
  closeClients(): void;
  connect(
    options?: Parameters<typeof TestClient.open>[1],
    path?: string,
  ): ReturnType<typeof TestClient.connect>;
  open(options?: Parameters<typeof TestClient.open>[1], path?: string): Promise<TestClient>;
}

/** Starts an app with `ChannelsModule.forRoot(options)` and the given gateways. */
export async function startChannels(
  options: ChannelsModuleOptions,
  providers: Provider[] = [OpenGateway],
  appOptions: NestApplicationOptions = {},
): Promise<ChannelsApp> {
  // The specs that list the token guard authenticate with it at the handshake.
  const guarded =
    options.auth?.handshakeGuards === undefined && providers.includes(TokenGuard)
      ? { ...options, auth: { ...options.auth, handshakeGuards: [TokenGuard] } }
      : options;
  const { app, ws, http } = await startApp(
    { imports: [ChannelsModule.forRoot(guarded)], providers },
    appOptions,
  );
  const url = `${ws}${options.path ?? '/channels'}`;
  const clients: TestClient[] = [];
  return {
    app,
    url,
    http,
    service: app.get(ChannelsService),
    closeClients: () => clients.splice(0).forEach((client) => client.socket.terminate()),
    async connect(clientOptions = {}, path = '') {
      const result = await TestClient.connect(url + path, clientOptions);
      clients.push(result.client);
      return result;
    },
    async open(clientOptions = {}, path = '') {
      const client = await TestClient.open(url + path, clientOptions);
      clients.push(client);
      return client;
    },
  };
}

/** Resolves once `check()` holds, polling; rejects after `timeoutMs`. */
export async function eventually(
  check: () => boolean,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs `task(0..count-1)` with at most `limit` running at once; results in index order. */
export async function withConcurrency<T>(
  count: number,
  limit: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
