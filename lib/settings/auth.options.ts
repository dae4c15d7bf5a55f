import type { CanActivate, Type } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { TokenExtractor } from '../protocol/token.extractor.js';
import type { TrustProxy } from './trust-proxy.js';

/**
 * Who may connect and who they are (the `auth` section of {@link ChannelsModuleOptions}): the
 * handshake's guards, where the credential is read, how a principal is named and when it
 * expires, which origins may connect, and which address a client has.
 *
 * @example
 * ChannelsModule.forRoot({
 *   auth: { handshakeGuards: [AuthGuard('jwt')], allowedOrigins: ['https://app.example.com'], trustProxy: 'loopback' },
 * })
 */
export interface ChannelsAuthOptions {
  /**
   * The guards every handshake passes, on both transports, before a connection exists (then
   * the app's global guards, `APP_GUARD` or `useGlobalGuards`, once each). Gateways' own
   * `@UseGuards` guard only that gateway's joins and messages. A class is taken from the app's
   * providers when it is one there (with its dependencies), else built by the module. Guards
   * read the handshake as an HTTP request (`switchToHttp().getRequest()`: headers, cookies,
   * `token`, `ip`; setting `request.user` sets the principal), so `AuthGuard('jwt')` works.
   * @default [] (only the global guards: anyone may connect when there are none)
   * @example auth: { handshakeGuards: [AuthGuard('jwt')] }
   */
  handshakeGuards?: Array<Type<CanActivate> | CanActivate>;
  /**
   * Reads the credential from a handshake request; guards find it in `client.handshake.token`.
   * @default `createTokenExtractor()`: `Authorization: Bearer`, then `Sec-WebSocket-Protocol`
   *   `bearer.<token>`, then the `channels_token` cookie (never the query string)
   */
  extractToken?: TokenExtractor;
  /**
   * How a principal is named, for `ChannelsService.disconnect(principal)` and per-principal
   * counts.
   * @default reads `id`, then `sub`, then `userId`; a string principal is its own key
   */
  principalKey?: (principal: unknown) => string | undefined;
  /**
   * When a principal's credentials expire, in milliseconds since the epoch (or a `Date`). The
   * connection is closed with 4401 at that moment, and nothing is written to it after it.
   * @default reads `exp` (seconds since the epoch, as in a JWT), then `expiresAt` (a `Date` or
   *   milliseconds); no expiry when neither is there
   * @example auth: { principalExpiresAt: (user: User) => user.session.expiresAt }
   */
  principalExpiresAt?: (principal: unknown) => number | Date | undefined;
  /**
   * Browser origins, besides the app's own, that may use the WebSocket upgrade, the SSE stream
   * and the command POST (one list for all three). A request whose `Origin` is neither the
   * app's own (its `Host`, and under a trusted proxy `X-Forwarded-Host` / `-Proto`; see
   * docs/security.md) nor listed gets HTTP 403 and no socket or stream: a page on another site
   * cannot ride a user's cookies. Requests without an `Origin` header (non-browser clients) are
   * served. `['*']` admits every origin (only for apps whose credentials never come from a
   * cookie).
   * @default undefined: the exact origins of the app's `enableCors()` when it lists some, else
   *   the app's own origin only
   * @example auth: { allowedOrigins: ['https://app.example.com', 'https://admin.example.com'] }
   */
  allowedOrigins?: string[];
  /**
   * Which proxies may report the client's address in `X-Forwarded-For`, in the forms of
   * Express's `trust proxy` setting (`'loopback'`, `1`, `'10.0.0.0/8'`, a function ...). When
   * not given, the app's own `app.set('trust proxy', …)` applies (Express); when neither is
   * set, `X-Forwarded-For` is never read.
   * @default undefined (the app's `trust proxy` setting; none: the socket's address)
   * @example auth: { trustProxy: 'loopback' }
   */
  trustProxy?: TrustProxy;
  /**
   * The client IP of a handshake request, for the per-IP cap and rate limit. Most apps set
   * `trustProxy` (or Express's `trust proxy`) instead; this replaces both.
   * @default what Express's `req.ip` would say under `trustProxy` (else the app's
   *   `trust proxy` setting): the socket's remote address when no proxy is trusted
   * @example auth: { clientIp: (req) => String(req.headers['x-real-ip'] ?? req.socket.remoteAddress) }
   */
  clientIp?: (request: IncomingMessage) => string | undefined;
}
