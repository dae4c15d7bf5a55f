import type { IncomingMessage } from 'node:http';

/**
 * Reads the credential from a handshake request. Replace it with the `extractToken` option.
 * @example
 * ChannelsModule.forRoot({ extractToken: (req) => req.headers['x-api-key']?.toString() })
 */
export type TokenExtractor = (request: IncomingMessage) => string | undefined;

/**
 * Options of {@link createTokenExtractor}.
 * @example createTokenExtractor({ cookie: 'session', allowQueryToken: true })
 */
export interface TokenExtractorOptions {
  /** The cookie that may carry the token. @default 'channels_token' */
  cookie?: string;
  /**
   * Also accept `?access_token=`. Off by default: URLs end up in proxy and access logs.
   * @default false
   */
  allowQueryToken?: boolean;
}

const BEARER_PROTOCOL = 'bearer.';

/**
 * Where an extractor made by {@link createTokenExtractor} looks for the credential, for the
 * AsyncAPI document's security schemes.
 * @example describeTokenExtractor(createTokenExtractor()) // { cookie: 'channels_token', queryParameter: undefined }
 */
export interface TokenSources {
  /** The cookie that may carry the token. */
  readonly cookie: string;
  /** The query parameter that may carry it (`access_token`), when `allowQueryToken` is on. */
  readonly queryParameter: string | undefined;
}

// What each extractor made here reads; a function made elsewhere has no entry.
const sourcesOf = new WeakMap<TokenExtractor, TokenSources>();

/**
 * Where `extractor` looks for the credential, when it was made by {@link createTokenExtractor}
 * (always `Authorization: Bearer` and the `bearer.<token>` WebSocket subprotocol, then these);
 * `undefined` for any other function, whose sources cannot be known.
 * @example describeTokenExtractor((req) => req.headers['x-api-key']?.toString()) // undefined
 */
export function describeTokenExtractor(extractor: TokenExtractor): TokenSources | undefined {
  return sourcesOf.get(extractor);
}

/**
 * The default extractor. It looks, in order, at `Authorization: Bearer <token>`, the
 * `Sec-WebSocket-Protocol` value `bearer.<token>`, the cookie, and (only when allowed)
 * `?access_token=`.
 *
 * @example ChannelsModule.forRoot({ auth: { extractToken: createTokenExtractor({ cookie: 'session' }) } })
 */
export function createTokenExtractor(options: TokenExtractorOptions = {}): TokenExtractor {
  const cookieName = options.cookie ?? 'channels_token';
  const extractor: TokenExtractor = (request) => {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) return authorization.slice(7).trim() || undefined;
    const offered = request.headers['sec-websocket-protocol'];
    const bearer = offered
      ?.split(',')
      .map((value) => value.trim())
      .find((value) => value.startsWith(BEARER_PROTOCOL));
    if (bearer) return bearer.slice(BEARER_PROTOCOL.length) || undefined;
    const cookie = readCookie(request.headers.cookie, cookieName);
    if (cookie) return cookie;
    if (!options.allowQueryToken) return undefined;
    return (
      new URL(request.url ?? '/', 'http://localhost').searchParams.get('access_token') ?? undefined
    );
  };
  sourcesOf.set(extractor, {
    cookie: cookieName,
    queryParameter: options.allowQueryToken ? 'access_token' : undefined,
  });
  return extractor;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) {
      return decodeCookie(part.slice(separator + 1).trim()) || undefined;
    }
  }
  return undefined;
}

// A malformed percent-escape is a bad credential, not a server error: the raw value is kept,
// and the guard refuses it like any other wrong token.
function decodeCookie(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
