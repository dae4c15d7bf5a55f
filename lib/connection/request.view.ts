import type { Handshake, HandshakeClient } from './handshake.js';

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

type Viewed = HandshakeClient & { principal: unknown };

// A field read from the handshake as it is.
function fromHandshake(key: 'query' | 'ip' | 'url' | 'method' | 'token'): PropertyDescriptor {
  return {
    get(this: Viewed) {
      return this.handshake[key];
    },
  };
}

// The request's fields as accessors that read `this`: installed once on a client class's
// prototype, they cost a live connection nothing (no per-instance properties or closures,
// which would also turn every connection into a slow dictionary-mode object).
const FIELDS: PropertyDescriptorMap = {
  headers: {
    get(this: Viewed) {
      return requestHeaders(this.handshake);
    },
  },
  cookies: {
    get(this: Viewed) {
      return requestCookies(this.handshake);
    },
  },
  query: fromHandshake('query'),
  ip: fromHandshake('ip'),
  url: fromHandshake('url'),
  originalUrl: fromHandshake('url'),
  method: fromHandshake('method'),
  token: fromHandshake('token'),
  user: {
    get(this: Viewed) {
      return this.principal;
    },
    set(this: Viewed, value: unknown) {
      this.principal = value;
    },
  },
  get: { value: header },
  header: { value: header },
};

function header(this: Viewed, name: string): string | string[] | undefined {
  return requestHeaders(this.handshake)[name.toLowerCase()];
}

/**
 * Gives `client` the fields of a {@link ChannelsRequest}, as accessors on its class's
 * prototype (installed on the first client of each class; a plain object gets them as its own
 * properties). The fields are not enumerable, so they stay out of logs and `JSON.stringify`.
 * A field the client already has (a subclass's own) is kept: the view only adds.
 * @example exposeRequest(connection); // then switchToHttp().getRequest().headers works
 */
export function exposeRequest<T extends HandshakeClient>(client: T): T & ChannelsRequest {
  const target = client as T & { [VIEW]?: true };
  if (target[VIEW]) return client as T & ChannelsRequest;
  const proto = Object.getPrototypeOf(client) as object | null;
  // A class's prototype takes the accessors once for all its instances; Object.prototype never.
  const holder = proto === null || proto === Object.prototype ? client : proto;
  for (const key of Reflect.ownKeys(FIELDS)) {
    if (!(key in holder)) {
      const descriptor = FIELDS[key as keyof PropertyDescriptorMap]!;
      Object.defineProperty(holder, key, { configurable: true, ...descriptor });
    }
  }
  Object.defineProperty(holder, VIEW, { value: true });
  return client as T & ChannelsRequest;
}

// The headers with the credential as `authorization` (built once per headers object, and
// only where the credential came another way). Keyed by the headers, not the handshake: a live
// connection keeps a smaller headers object than its handshake's guards saw.
const withToken = new WeakMap<Handshake['headers'], ChannelsRequest['headers']>();
const cookieJars = new WeakMap<Handshake, Record<string, string>>();

function requestHeaders(handshake: Handshake): ChannelsRequest['headers'] {
  const { headers, token } = handshake;
  if (headers.authorization !== undefined || token === undefined) return headers;
  let built = withToken.get(headers);
  if (built === undefined) {
    built = { ...headers, authorization: `Bearer ${token}` };
    withToken.set(headers, built);
  }
  return built;
}

function requestCookies(handshake: Handshake): Record<string, string> {
  let cookies = cookieJars.get(handshake);
  if (cookies === undefined) {
    cookies = parseCookies(handshake.headers.cookie);
    cookieJars.set(handshake, cookies);
  }
  return cookies;
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
