import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/**
 * The origins a page of the app itself has when it sends `request`: `<scheme>://<host>`, where
 * `host` is the `Host` header (or, from a trusted proxy, `X-Forwarded-Host`), and the scheme is
 * `https` on a TLS socket, what a trusted proxy's `X-Forwarded-Proto` says (`wss`/`ws` count as
 * `https`/`http`), and either one otherwise: a plain socket may sit behind a TLS-terminating
 * proxy nobody declared, and a page on the other scheme of the same host and port is the app's
 * own site anyway. Serialized as `URL.origin` (lowercase, no default port); empty when there
 * is no usable host.
 *
 * @param trustedProxy whether the socket's peer is a trusted proxy (`auth.trustProxy`, or the
 *   app's `trust proxy`), whose `X-Forwarded-Host` / `X-Forwarded-Proto` are then read, as
 *   Express's `req.host` and `req.protocol` read them (the first value of each)
 * @example
 * ownOrigins(request, false) // Host: app.example.com -> ['http://app.example.com', 'https://app.example.com']
 */
export function ownOrigins(request: IncomingMessage, trustedProxy: boolean): string[] {
  const forwardedHost = trustedProxy ? first(request.headers['x-forwarded-host']) : undefined;
  const host = forwardedHost || request.headers.host;
  // A host with a path, credentials or spaces is not one a browser sent: nothing matches it.
  if (!host || /[/?#@\\\s]/.test(host)) return [];
  const forwarded = trustedProxy
    ? schemeOf(first(request.headers['x-forwarded-proto']))
    : undefined;
  const tls = (request.socket as Partial<TLSSocket>).encrypted === true;
  const schemes = forwarded ? [forwarded] : tls ? ['https'] : ['http', 'https'];
  const origins: string[] = [];
  for (const scheme of schemes) {
    const origin = normalizeOrigin(`${scheme}://${host}`);
    if (origin !== undefined) origins.push(origin);
  }
  return origins;
}

/**
 * An `Origin` value in its one serialization (`URL.origin`: lowercase scheme and host, no
 * default port), or `undefined` for one that is not an http(s) origin (`null`, say).
 * @example normalizeOrigin('HTTPS://App.Example.com:443') // 'https://app.example.com'
 */
export function normalizeOrigin(origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
}

// A header a proxy appended to (`a, b`) counts by its first value, as in Express.
function first(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const head = value?.split(',')[0]?.trim();
  return head ? head : undefined;
}

function schemeOf(proto: string | undefined): 'http' | 'https' | undefined {
  const value = proto?.toLowerCase();
  if (value === 'https' || value === 'wss') return 'https';
  if (value === 'http' || value === 'ws') return 'http';
  return undefined;
}
