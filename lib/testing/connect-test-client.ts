import type { INestApplication } from '@nestjs/common';
import type { AddressInfo, Server } from 'node:net';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import type { TransportName } from '../connection/handshake.js';
import type { ChannelsTestClient } from './channels.test-client.js';
import { ChannelsEndpoint } from '../transports/channels.endpoint.js';
import { SseTestClient } from './sse.test-client.js';
import { WsTestClient } from './ws.test-client.js';

/**
 * Options of {@link connectTestClient}.
 * @example { transport: 'sse', token: 'alice', timeoutMs: 5000 }
 */
export interface TestClientOptions {
  /**
   * Which transport to speak.
   * @default 'websocket'
   */
  transport?: TransportName;
  /** A credential, sent as `Authorization: Bearer <token>`. @default none */
  token?: string;
  /** More request headers (a cookie, an `Origin`). @default none */
  headers?: Record<string, string>;
  /**
   * How long every wait (the welcome, a reply, a push, a close) may take, in milliseconds.
   * @default 2000
   */
  timeoutMs?: number;
  /**
   * The module's path, when connecting to a URL (with an app it is read from the module).
   * @default '/channels'
   */
  path?: string;
}

const starting = new WeakMap<INestApplication, Promise<void>>();

/**
 * The base URLs of an app under test. @example { http: 'http://127.0.0.1:49152', ws: 'ws://127.0.0.1:49152', path: '/channels' }
 */
export interface TestAppAddress {
  /** `http://127.0.0.1:<port>` (`https` when the app serves TLS). */
  http: string;
  /** `ws://127.0.0.1:<port>` (`wss` when the app serves TLS). */
  ws: string;
  /** The WebSocket path: the module's `path`, under the global prefix with `useGlobalPrefix`. */
  path: string;
}

/**
 * Where an app can be reached: starts it on 127.0.0.1 and a free port (`app.listen(0)`) unless
 * it already listens.
 * @example const { http } = await listenForTests(app); // then fetch(`${http}/health`)
 */
export async function listenForTests(app: INestApplication): Promise<TestAppAddress> {
  const options = app.get<ChannelsSettings>(CHANNELS_SETTINGS, { strict: false });
  if (!options.transports) {
    throw new Error(
      'This app runs ChannelsModule with `transports: false`: no client can connect. ' +
        'Use ChannelsTestHarness for in-process connections, or drop the option.',
    );
  }
  const server = app.getHttpServer() as Server;
  // Clients connected at once (`Promise.all`) share one `listen`.
  let listening = starting.get(app);
  if (!listening) {
    listening = server.listening
      ? Promise.resolve()
      : app.listen(0, '127.0.0.1').then(() => undefined);
    starting.set(app, listening);
  }
  await listening;
  const { port, address } = server.address() as AddressInfo;
  const { websocket } = app.get(ChannelsEndpoint, { strict: false }).paths;
  const host = address === '::' || address === '0.0.0.0' ? '127.0.0.1' : address;
  const hostname = host.includes(':') ? `[${host}]` : host;
  // An https.Server is a tls.Server: it has the `setSecureContext` method.
  const secure = 'setSecureContext' in server ? 's' : '';
  return {
    http: `http${secure}://${hostname}:${port}`,
    ws: `ws${secure}://${hostname}:${port}`,
    path: websocket === '/' ? '' : websocket,
  };
}

/**
 * Connects a test client to an app (started with `app.listen(0)` if it does not listen yet)
 * or to a server URL (`http://127.0.0.1:3000`), over WebSocket or SSE, and resolves once the
 * welcome arrived.
 *
 * @throws RefusedConnectionError when the server refuses the handshake (its `closeCode`:
 *   4401, 4403, 4429 …, the same on both transports)
 * @example
 * const client = await connectTestClient(app, { token: 'alice' });
 * await client.subscribe('room:lobby');
 * expect(await client.request('chat.send', { text: 'hi' })).toEqual({ sent: true });
 * expect((await client.nextPush('room:lobby')).data).toEqual({ text: 'hi' });
 * await client.close();
 */
export async function connectTestClient(
  target: INestApplication | string,
  options: TestClientOptions = {},
): Promise<ChannelsTestClient> {
  const address =
    typeof target === 'string' ? addressOf(target, options.path) : await listenForTests(target);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  const timeoutMs = options.timeoutMs ?? 2000;
  return (options.transport ?? 'websocket') === 'sse'
    ? SseTestClient.connect(`${address.http}${address.path}`, headers, timeoutMs)
    : WsTestClient.connect(`${address.ws}${address.path}`, headers, timeoutMs);
}

function addressOf(url: string, path = '/channels'): TestAppAddress {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'https:' || parsed.protocol === 'wss:' ? 's' : '';
  const normalized = path === '/' ? '' : path.replace(/\/+$/, '');
  return {
    http: `http${secure}://${parsed.host}`,
    ws: `ws${secure}://${parsed.host}`,
    path: normalized.startsWith('/') || normalized === '' ? normalized : `/${normalized}`,
  };
}
