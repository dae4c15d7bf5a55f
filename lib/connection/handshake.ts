import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TransportName } from '../protocol/transport-name.js';

export type { TransportName } from '../protocol/transport-name.js';

/**
 * What the server knew about a client when it connected: the upgrade (or SSE) request and
 * the credentials read from it. Guards read it at the handshake and on every message.
 * @example const user = this.auth.verify(client.handshake.token); // client: HandshakeClient
 */
export interface Handshake {
  /**
   * The request's headers. Handshake guards see them all; a live WebSocket connection keeps
   * them without the upgrade's own (`connection`, `upgrade`, `sec-websocket-key`,
   * `sec-websocket-version`, `sec-websocket-extensions`).
   */
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

/**
 * @internal The client a handshake's guards see, before a connection exists. A class (not an
 * object literal), so the request view's accessors sit once on its prototype.
 */
export class PendingClient<TPrincipal = unknown> implements HandshakeClient<TPrincipal> {
  principal: TPrincipal | undefined = undefined;

  constructor(
    readonly transport: TransportName,
    readonly handshake: Handshake,
  ) {}
}

/** Builds a {@link Handshake} from an incoming request (`ip` defaults to the remote address). */
export function readHandshake(
  request: IncomingMessage,
  token: string | undefined,
  ip: string | undefined = request.socket.remoteAddress,
): Handshake {
  return new RequestHandshake(
    request.headers,
    request.url ?? '/',
    ip,
    token,
    request.method ?? 'GET',
  );
}

// What a live connection keeps of its request: the headers object and a few strings. The
// query is parsed the first time something reads it (most guards never do).
class RequestHandshake implements Handshake {
  private parsedQuery?: Record<string, string | string[]>;

  constructor(
    public headers: IncomingHttpHeaders,
    readonly url: string,
    readonly ip: string | undefined,
    readonly token: string | undefined,
    readonly method: string,
  ) {}

  get origin(): string | undefined {
    return this.headers.origin;
  }

  get query(): Readonly<Record<string, string | string[]>> {
    return (this.parsedQuery ??= parseQuery(this.url));
  }
}

// The upgrade's own mechanics: `ws` reads them during the handshake; no guard needs them later.
const UPGRADE_HEADERS = new Set([
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
]);

/**
 * @internal Once a WebSocket handshake has become a live connection: its headers are kept as a
 * small plain object without the upgrade's own (`connection`, `upgrade`, `sec-websocket-key`,
 * `-version`, `-extensions`), not Node's dictionary-mode headers object of the request.
 */
export function keepForConnection(handshake: Handshake): void {
  if (!(handshake instanceof RequestHandshake)) return;
  const kept: IncomingHttpHeaders = {};
  for (const name in handshake.headers) {
    if (!UPGRADE_HEADERS.has(name)) kept[name] = handshake.headers[name];
  }
  handshake.headers = kept;
}

function parseQuery(url: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  const start = url.indexOf('?');
  if (start < 0) return query;
  const end = url.indexOf('#', start);
  for (const [key, value] of new URLSearchParams(url.slice(start + 1, end < 0 ? undefined : end))) {
    const previous = query[key];
    query[key] = previous === undefined ? value : [...[previous].flat(), value];
  }
  return query;
}
