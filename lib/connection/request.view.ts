import type { HandshakeClient } from './handshake.js';

/**
 * The HTTP-request face of a client: what `context.switchToHttp().getRequest()` gives a guard
 * at the handshake and on every join and message, so that guards written for controllers
 * (`AuthGuard('jwt')` of `@nestjs/passport`, a guard calling `JwtService.verifyAsync` on
 * `request.headers.authorization`) work unchanged. It is the client itself: `user` is its
 * `principal`, so a guard that sets `request.user` authenticates the connection.
 *
 * @example
 * canActivate(context: ExecutionContext) {
 *   const request = context.switchToHttp().getRequest<ChannelsRequest>();
 *   request.user = this.jwt.verify(request.token ?? '');
 *   return true;
 * }
 */
export interface ChannelsRequest<TPrincipal = unknown> extends HandshakeClient<TPrincipal> {
  /**
   * The handshake request's headers. When the credential came another way (the
   * `Sec-WebSocket-Protocol` value `bearer.<token>`, a cookie, `?access_token=`), it also
   * appears as `authorization: Bearer <token>`, where `passport-jwt`'s
   * `ExtractJwt.fromAuthHeaderAsBearerToken()` looks.
   */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request's cookies, parsed (as `cookie-parser` would). */
  readonly cookies: Readonly<Record<string, string>>;
  /** The query parameters. */
  readonly query: Readonly<Record<string, string | string[]>>;
  /** The client IP (the `trustProxy` rule applied; as Express's `req.ip`). */
  readonly ip: string | undefined;
  /** The request's URL (path and query). */
  readonly url: string;
  /** The handshake's HTTP method (`GET`, or `POST` for an SSE command). */
  readonly method: string;
  /** The credential the token extractor found. */
  readonly token: string | undefined;
  /** The principal: setting it (as passport does) sets `principal`. */
  user: TPrincipal | undefined;
  /** A request header, as Express's `req.get(name)`. */
  get(name: string): string | string[] | undefined;
  /** The same as {@link get}. */
  header(name: string): string | string[] | undefined;
}

const VIEW = Symbol('channels:request-view');

/**
 * Gives `client` the fields of a {@link ChannelsRequest} (once; later calls do nothing). The
 * fields are not enumerable, so they stay out of logs and `JSON.stringify`.
 * @example exposeRequest(connection); // then switchToHttp().getRequest().headers works
 */
export function exposeRequest<T extends HandshakeClient>(client: T): T & ChannelsRequest {
  const target = client as T & { [VIEW]?: true };
  if (target[VIEW]) return client as T & ChannelsRequest;
  const { handshake } = client;
  let headers: ChannelsRequest['headers'] | undefined;
  let cookies: Record<string, string> | undefined;
  const header = (name: string): string | string[] | undefined =>
    (headers ??= withAuthorization(handshake.headers, handshake.token))[name.toLowerCase()];
  const fields: PropertyDescriptorMap = {
    [VIEW]: { value: true },
    headers: { get: () => (headers ??= withAuthorization(handshake.headers, handshake.token)) },
    cookies: { get: () => (cookies ??= parseCookies(handshake.headers.cookie)) },
    query: { get: () => handshake.query },
    ip: { get: () => handshake.ip },
    url: { get: () => handshake.url },
    originalUrl: { get: () => handshake.url },
    method: { get: () => handshake.method },
    token: { get: () => handshake.token },
    user: {
      get: () => client.principal,
      set: (value: unknown) => (client.principal = value),
    },
    get: { value: header },
    header: { value: header },
  };
  for (const key of Reflect.ownKeys(fields)) {
    // A field the client already has (a subclass's own) is kept: the view only adds.
    if (!(key in client)) {
      const descriptor = fields[key as keyof PropertyDescriptorMap]!;
      Object.defineProperty(client, key, { configurable: true, ...descriptor });
    }
  }
  return client as T & ChannelsRequest;
}

function withAuthorization(
  headers: HandshakeClient['handshake']['headers'],
  token: string | undefined,
): ChannelsRequest['headers'] {
  if (headers.authorization !== undefined || token === undefined) return headers;
  return { ...headers, authorization: `Bearer ${token}` };
}

/** Parses a `Cookie` header; a malformed escape keeps its raw value. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of header?.split(';') ?? []) {
    const separator = part.indexOf('=');
    if (separator <= 0) continue;
    const name = part.slice(0, separator).trim();
    let value = part.slice(separator + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // kept raw: a bad credential, refused by the guard like any other
    }
    if (!(name in cookies)) cookies[name] = value;
  }
  return cookies;
}
