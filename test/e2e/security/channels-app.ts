import type { INestApplication, NestApplicationOptions, Provider } from '@nestjs/common';
import { ChannelsModule, ChannelsService, type ChannelsModuleOptions } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { TestClient } from '../../support/ws-client.js';
import { OpenGateway, TokenGuard } from './gateways.js';

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

/**
 * Starts the app for the describe block it is called in (`beforeAll`), closes its clients after
 * each test and the app after the block; the handle reaches the app once it has started.
 */
export function useChannels(...args: Parameters<typeof startChannels>): ChannelsApp {
  let started: ChannelsApp | undefined;
  beforeAll(async () => {
    started = await startChannels(...args);
  });
  afterEach(() => started?.closeClients());
  afterAll(() => started?.app.close());
  const current = (): ChannelsApp => {
    if (!started) throw new Error('the app starts in beforeAll');
    return started;
  };
  return {
    get app() {
      return current().app;
    },
    get url() {
      return current().url;
    },
    get http() {
      return current().http;
    },
    get service() {
      return current().service;
    },
    closeClients: () => current().closeClients(),
    connect: (options, path) => current().connect(options, path),
    open: (options, path) => current().open(options, path),
  };
}
