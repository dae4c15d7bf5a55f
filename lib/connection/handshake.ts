import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TransportName } from '../protocol/transport-name.js';

export type { TransportName } from '../protocol/transport-name.js';

/**
 * What the server knew about a client when it connected: the upgrade (or SSE) request and
 * the credentials read from it. Guards read it at the handshake and on every message.
 * @example const user = this.auth.verify(client.handshake.token); // client: HandshakeClient
 */
export interface Handshake {
  /** The request's headers. */
  readonly headers: IncomingHttpHeaders;
  /** The request's URL (path and query). */
  readonly url: string;
  /** The query parameters; a repeated parameter is an array. */
  readonly query: Readonly<Record<string, string | string[]>>;
  /**
   * The client IP: what Express's `req.ip` would say under the `trustProxy` option (or the
   * app's `trust proxy` setting), the socket's address when no proxy is trusted, or what the
   * `clientIp` option returns.
   */
  readonly ip: string | undefined;
  /** The `Origin` header, when the client sent one. */
  readonly origin: string | undefined;
  /** The credential the token extractor found (see `ChannelsModuleOptions.extractToken`). */
  readonly token: string | undefined;
  /**
   * The request's method (`GET` for both transports' handshakes). The upgrade request itself
   * is not kept once the handshake is over: a live connection holds what guards and handlers
   * read (headers, URL, query, address, token), not the `IncomingMessage` with its socket
   * state and raw headers.
   */
  readonly method: string;
}

/**
 * The client as guards see it at the handshake, before any connection exists: a guard may
 * read `handshake` and set `principal`. A live {@link Connection} has the same three fields,
 * so one guard serves the handshake, every join and every message.
 *
 * @example
 * canActivate(ctx: ExecutionContext) {
 *   const client = ctx.switchToWs().getClient<HandshakeClient<User>>();
 *   client.principal ??= this.auth.verify(client.handshake.token);
 *   return client.principal !== undefined;
 * }
 */
export interface HandshakeClient<TPrincipal = unknown> {
  readonly transport: TransportName;
  readonly handshake: Handshake;
  principal: TPrincipal | undefined;
}

/** Builds a {@link Handshake} from an incoming request (`ip` defaults to the remote address). */
export function readHandshake(
  request: IncomingMessage,
  token: string | undefined,
  ip: string | undefined = request.socket.remoteAddress,
): Handshake {
  const url = request.url ?? '/';
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URL(url, 'http://localhost').searchParams) {
    const previous = query[key];
    query[key] = previous === undefined ? value : [...[previous].flat(), value];
  }
  const origin = request.headers.origin;
  const method = request.method ?? 'GET';
  return { headers: request.headers, url, query, ip, origin, token, method };
}
