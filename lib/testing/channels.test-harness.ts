import type { INestApplicationContext } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { HandshakeAuthenticator } from '../auth/handshake.authenticator.js';
import { readHandshake, type TransportName } from '../connection/handshake.js';
import { ChannelHub } from '../hub/channel.hub.js';
import { ChannelsEndpoint } from '../transports/channels.endpoint.js';
import { CommandRouter } from '../router/command.router.js';
import { toErrorBody } from '../protocol/error-body.mapper.js';
import { CloseCode, REFUSAL_CLOSE_CODE_BY_ERROR } from '../protocol/codes.js';
import { createInProcessConnection, InProcessTestClient } from './in-process.test-client.js';
import { RefusedConnectionError } from './refused-connection.error.js';

/**
 * Options of {@link ChannelsTestHarness.connect}.
 * @example { principal: { id: 'alice', roles: ['moderator'] } }
 */
export interface HarnessConnectOptions {
  /**
   * The principal the connection belongs to, as a handshake guard would have set it. Given,
   * the handshake guards do not run (every message still runs the gateway's guards); left
   * out, they run against a request with `token` and `headers`, as at a real handshake.
   * @default none: the handshake guards decide
   */
  principal?: unknown;
  /** The credential of the handshake request (`client.handshake.token`). @default none */
  token?: string;
  /** Headers of the handshake request. @default none */
  headers?: Record<string, string>;
  /** What `client.transport` says. @default 'websocket' */
  transport?: TransportName;
  /** How long every wait may take, in milliseconds. @default 2000 */
  timeoutMs?: number;
}

/**
 * Runs gateways in process, without sockets or an HTTP server: a connection made by
 * {@link connect} sends commands and joins through the module's own router, so the gateway's
 * guards, pipes (DTO validation), interceptors, filters and handler run exactly as for a
 * client, with the principal the test chooses. Pushes published to its channels reach it.
 * The module can be started with `transports: false`.
 *
 * @example
 * const moduleRef = await Test.createTestingModule({
 *   imports: [ChannelsModule.forRoot({ transports: false })],
 *   providers: [ChatGateway],
 * }).compile();
 * const harness = await ChannelsTestHarness.create(moduleRef);
 * const alice = await harness.connect({ principal: { id: 'alice' } });
 * await expect(alice.request('chat.send', { text: '' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
 */
export class ChannelsTestHarness {
  private constructor(private readonly app: INestApplicationContext) {}

  /**
   * A harness over an app or a compiled testing module; initializes it (`init()`) when it is
   * not yet, so that the gateways are discovered.
   */
  static async create(app: INestApplicationContext): Promise<ChannelsTestHarness> {
    await app.init();
    return new ChannelsTestHarness(app);
  }

  /**
   * A new in-process connection, registered like a real one (`ChannelsService.disconnect`
   * and `connectionCount` see it).
   * @throws RefusedConnectionError when, without a `principal`, a handshake guard refuses it
   */
  async connect(options: HarnessConnectOptions = {}): Promise<InProcessTestClient> {
    const transport = options.transport ?? 'websocket';
    const { websocket } = this.get<ChannelsEndpoint>(ChannelsEndpoint).paths;
    const request = fakeRequest(websocket, options);
    let principal = options.principal;
    if (!('principal' in options)) {
      try {
        const client = await this.get<HandshakeAuthenticator>(HandshakeAuthenticator).authenticate(
          request,
          transport,
        );
        principal = client.principal;
      } catch (error) {
        const body = toErrorBody(error);
        throw new RefusedConnectionError(transport, {
          closeCode: REFUSAL_CLOSE_CODE_BY_ERROR[body.code] ?? CloseCode.INTERNAL_ERROR,
          body,
        });
      }
    }
    const handshake = readHandshake(request, options.token, '127.0.0.1');
    const connection = createInProcessConnection(transport, handshake, principal);
    this.get<ChannelHub>(ChannelHub).register(connection);
    return new InProcessTestClient(
      connection,
      this.get<CommandRouter>(CommandRouter),
      options.timeoutMs ?? 2000,
    );
  }

  private get<T>(token: unknown): T {
    return this.app.get<T>(token as never, { strict: false });
  }
}

// A real IncomingMessage (guards may read anything from it) that no socket ever fed.
function fakeRequest(path: string, options: HarnessConnectOptions): IncomingMessage {
  const request = new IncomingMessage(new Socket());
  request.method = 'GET';
  request.url = path;
  const headers: Record<string, string> = { host: '127.0.0.1' };
  for (const [name, value] of Object.entries(options.headers ?? {}))
    headers[name.toLowerCase()] = value;
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  request.headers = headers;
  return request;
}
