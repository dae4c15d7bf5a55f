import type { CanActivate, Type } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import type { TrustProxy } from './auth/trust-proxy.js';
import type { BroadcastAdapter } from './adapters/broadcast.adapter.js';
import { createTokenExtractor, type TokenExtractor } from './auth/token.extractor.js';
import type { HistoryStore } from './history/history.store.js';
import type { RedisConnection } from './redis/redis.connection.js';
import type { ChannelsRedisOptions } from './redis/redis.options.js';
import type { PresenceModuleOptions } from './presence/presence.module-options.js';
import {
  resolveFrameLimits,
  type FrameLimits,
  type ResolvedFrameLimits,
} from './protocol/frame.limits.js';
import type { IncomingMessage } from 'node:http';
import { MemoryRateLimitStore } from './rate-limit/memory.rate-limit-store.js';
import type { MessageRateLimitOptions, RateLimitBudget } from './rate-limit/rate-limit.options.js';
import type { RateLimitStore } from './rate-limit/rate-limit.store.js';

/**
 * Options of {@link ChannelsModule}. Every field is optional; the defaults are those a public
 * service can run with.
 *
 * @example
 * ChannelsModule.forRoot({ path: '/channels', heartbeatMs: 25_000, allowedOrigins: ['https://app.example.com'] })
 */
export interface ChannelsModuleOptions {
  /**
   * The HTTP path of the WebSocket upgrade. The SSE endpoints live below it.
   * @default '/channels'
   */
  path?: string;
  /**
   * How often the server pings each WebSocket connection (SSE streams use `sseHeartbeatMs`).
   * @default 25000
   */
  heartbeatMs?: number;
  /**
   * How long a WebSocket client may take to answer a ping before it is cut off with 4408.
   * @default 10000
   */
  heartbeatTimeoutMs?: number;
  /**
   * The largest inbound frame, in bytes. A larger WebSocket frame closes the socket with 1009.
   * @default 65536
   */
  maxPayloadBytes?: number;
  /**
   * How many channels one connection may be subscribed to at once.
   * @default 100
   */
  maxSubscriptionsPerConnection?: number;
  /**
   * How many bytes may wait in one connection's outbound buffer before it is cut off with
   * 4008 (slow consumer).
   * @default 1048576
   */
  maxBufferedBytes?: number;
  /**
   * Validation of every handler payload whose type is a class, with class-validator and
   * class-transformer. `false` turns it off; an object replaces the validator options.
   * @default { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }
   */
  validation?: ValidatorOptions | false;
  /**
   * Bounds on a command frame's structure (depth, keys per object and in all, array length,
   * string length), checked before it is parsed into objects; a frame past one is `BAD_REQUEST`.
   * @default { maxDepth: 32, maxKeys: 256, maxTotalKeys: 512, maxArrayLength: 4096, maxStringLength: 65536 }
   */
  frameLimits?: FrameLimits;
  /**
   * The most per-field details a `VALIDATION_FAILED` carries; the rest are counted in its
   * `omitted`, so an error reply stays about the size of the request that caused it.
   * @default 20
   */
  maxValidationDetails?: number;
  /**
   * Allowed `Origin` values for the WebSocket upgrade and the SSE endpoints. A request with
   * another origin gets HTTP 403. Requests without an `Origin` header (non-browser clients) are
   * let through.
   * @default undefined (every origin is allowed)
   */
  allowedOrigins?: string[];
  /**
   * How a principal is named, for `ChannelsService.disconnect(principal)` and per-principal
   * counts.
   * @default reads `id`, then `sub`, then `userId`; a string principal is its own key
   */
  principalKey?: (principal: unknown) => string | undefined;
  /**
   * Reads the credential from a handshake request; guards find it in `client.handshake.token`.
   * @default `createTokenExtractor()`: `Authorization: Bearer`, then `Sec-WebSocket-Protocol`
   *   `bearer.<token>`, then the `channels_token` cookie (never the query string)
   */
  extractToken?: TokenExtractor;
  /**
   * How long a graceful shutdown waits for clients to close before terminating them.
   * @default 5000
   */
  shutdownTimeoutMs?: number;
  /**
   * History kept for every channel, for recovery after a reconnect (the in-memory store's
   * settings; ignored when `historyStore` is given).
   * @default { size: 100, ttlMs: 300000 }
   */
  history?: { size?: number; ttlMs?: number };
  /**
   * The broadcast adapter that carries pushes between nodes: an instance, or a factory called
   * once when the module starts. The module starts it before the app listens and closes it
   * last on shutdown. Overrides the adapter of `redis`.
   * @default an `InMemoryBroadcastAdapter` (one node), or a `RedisBroadcastAdapter` with `redis`
   * @example adapter: () => new MyBrokerAdapter()
   */
  adapter?: BroadcastAdapter | (() => BroadcastAdapter);
  /**
   * Where channel history is kept and sequenced: an instance, or a factory. Overrides the
   * store of `redis`.
   * @default an `InMemoryHistoryStore` with the `history` settings, or a `RedisHistoryStore`
   *   with `redis`
   * @example historyStore: () => new InMemoryHistoryStore({ size: 500 })
   */
  historyStore?: HistoryStore | (() => HistoryStore);
  /**
   * Many nodes through Redis: the broadcast adapter, the history (Redis Streams) and the
   * rate-limit store all use this Redis (needs the `ioredis` package).
   * @default undefined (one node, everything in memory)
   * @example redis: { url: process.env.REDIS_URL }
   */
  redis?: ChannelsRedisOptions;
  /**
   * How often an SSE stream gets a `: ping` comment line, which keeps proxies from closing an
   * idle stream and lets the client notice a dead one.
   * @default 15000
   */
  sseHeartbeatMs?: number;
  /**
   * The reconnection delay an SSE stream announces with `retry:`; a browser's `EventSource`
   * waits this long before it reconnects (with `Last-Event-ID`).
   * @default 3000
   */
  sseRetryMs?: number;
  /**
   * Cross-origin access to the SSE endpoints (`GET {path}/sse`, `POST {path}/messages`) from
   * browsers on other origins: which origins get CORS headers, and whether credentials
   * (cookies) may be sent. `'*'` in `origins` allows any origin, without credentials. The
   * `allowedOrigins` gate still applies on top of it.
   * @default { origins: allowedOrigins, credentials: false } (no `allowedOrigins`: same-origin only)
   * @example cors: { origins: ['https://app.example.com'], credentials: true }
   */
  cors?: ChannelsCorsOptions;
  /**
   * How many connections one principal (named by `principalKey`) may hold on this node at
   * once. One more is refused: 4429 on WebSocket, HTTP 429 on SSE. `Infinity` turns it off.
   * @default 20
   */
  maxConnectionsPerPrincipal?: number;
  /**
   * How many connections one client IP (see `trustProxy`) may hold on this node at once,
   * counting those still in their handshake. One more is refused: 4429, or HTTP 429.
   * `Infinity` turns it off. Sized for an office behind one NAT address (300 users with two
   * tabs each) while stopping one address that opens thousands (docs/security.md).
   * @default 1000
   */
  maxConnectionsPerIp?: number;
  /**
   * How long a handshake (rate limit, guards, caps) may take. One that takes longer is refused
   * with 1011 (HTTP 500 on SSE), so a hanging guard or a slow client cannot hold sockets open.
   * @default 10000
   */
  handshakeTimeoutMs?: number;
  /**
   * When a principal's credentials expire, in milliseconds since the epoch (or a `Date`). The
   * connection is closed with 4401 at that moment, and nothing is written to it after it.
   * @default reads `exp` (seconds since the epoch, as in a JWT), then `expiresAt` (a `Date` or
   *   milliseconds); no expiry when neither is there
   * @example { principalExpiresAt: (user: User) => user.session.expiresAt }
   */
  principalExpiresAt?: (principal: unknown) => number | Date | undefined;
  /**
   * The client IP of a handshake request, for the per-IP cap and rate limit. Most apps set
   * `trustProxy` (or Express's `trust proxy`) instead; this replaces both.
   * @default what Express's `req.ip` would say under `trustProxy` (else the app's
   *   `trust proxy` setting): the socket's remote address when no proxy is trusted
   * @example { clientIp: (req) => String(req.headers['x-real-ip'] ?? req.socket.remoteAddress) }
   */
  clientIp?: (request: IncomingMessage) => string | undefined;
  /**
   * The per-connection message limit; `false` turns it off. Events with `@RateLimit` count in
   * their own budget instead.
   * @default { points: 100, durationMs: 1000, abuseThreshold: 50, abuseWindowMs: 10000 }
   */
  rateLimit?: MessageRateLimitOptions | false;
  /**
   * How many connections one client IP may open per window (before authentication); `false`
   * turns it off. Over it: 4429 on WebSocket, HTTP 429 on SSE, with `retryAfterMs`. Sized so
   * that 600 tabs behind one NAT address reconnect within 30 s after a deploy (docs/security.md).
   * @default { points: 600, durationMs: 10000 }
   */
  connectionRateLimit?: Partial<RateLimitBudget> | false;
  /**
   * Where rate-limit counters live.
   * @default a `MemoryRateLimitStore` (per node); `RedisRateLimitStore` shares them between nodes
   */
  rateLimitStore?: RateLimitStore;
  /**
   * Whether the module attaches its transports (the WebSocket upgrade and the SSE endpoints)
   * to the app's HTTP server. `false` starts the module without them, and without needing an
   * HTTP server at all: a service's tests can `init()` an `AppModule` that imports
   * `ChannelsModule` (a `TestingModule`, `NestFactory.createApplicationContext`), publish, and
   * read what was published (see `RecordingBroadcastAdapter` in `nestjs-channels/testing`).
   * Publishing, `ChannelsService` and the gateways' handlers work as usual; no client can
   * connect.
   * @default true
   * @example ChannelsModule.forRoot({ transports: process.env.NODE_ENV !== 'test' })
   */
  transports?: boolean;
  /**
   * The guards every handshake passes, on both transports, before a connection exists (then
   * the app's global guards, `APP_GUARD` or `useGlobalGuards`, once each). Gateways' own
   * `@UseGuards` guard only that gateway's joins and messages. A class is taken from the app's
   * providers when it is one there (with its dependencies), else built by the module. Guards
   * read the handshake as an HTTP request (`switchToHttp().getRequest()`: headers, cookies,
   * `token`, `ip`; setting `request.user` sets the principal), so `AuthGuard('jwt')` works.
   * @default [] (only the global guards: anyone may connect when there are none)
   * @example ChannelsModule.forRoot({ handshakeGuards: [AuthGuard('jwt')] })
   */
  handshakeGuards?: Array<Type<CanActivate> | CanActivate>;
  /**
   * Which proxies may report the client's address in `X-Forwarded-For`, in the forms of
   * Express's `trust proxy` setting (`'loopback'`, `1`, `'10.0.0.0/8'`, a function ...). When
   * not given, the app's own `app.set('trust proxy', …)` applies (Express); when neither is
   * set, `X-Forwarded-For` is never read.
   * @default undefined (the app's `trust proxy` setting; none: the socket's address)
   * @example ChannelsModule.forRoot({ trustProxy: 'loopback' })
   */
  trustProxy?: TrustProxy;
  /**
   * How many handshakes this node admits per window, from all addresses together; `false`
   * turns it off. Over it, a handshake is shed with a retry hint (WebSocket close 1013 "Try
   * Again Later", SSE HTTP 503 with `Retry-After`), so a reconnect storm after a deploy is
   * spread out instead of locked out; no address is penalised for it.
   * @default { points: 1000, durationMs: 1000 }
   */
  handshakeAdmission?: Partial<RateLimitBudget> | false;
  /**
   * Presence settings: the store and how changes are coalesced. Which channels have presence
   * is declared on their `@OnJoin` (see docs/presence.md).
   * @default { store: new InMemoryPresenceStore(), coalesceMs: 50 }
   */
  presence?: PresenceModuleOptions;
  /**
   * The close code a graceful shutdown closes every connection with (WebSocket close frame,
   * SSE `event: close`): `1001` (going away), or `1012` (service restart) for a node of many
   * going down in a rolling deploy. The client SDK reconnects on both, with jittered backoff.
   * @default 1001
   * @example shutdownCloseCode: process.env.REDIS_URL ? 1012 : 1001
   */
  shutdownCloseCode?: 1001 | 1012;
}

/**
 * CORS settings of the SSE endpoints; see {@link ChannelsModuleOptions.cors}.
 * @example
 * ChannelsModule.forRoot({ cors: { origins: ['https://app.example.com'], credentials: true } })
 */
export interface ChannelsCorsOptions {
  /** Origins whose pages may read the responses. @default the `allowedOrigins` option */
  origins?: string[];
  /** Sends `Access-Control-Allow-Credentials: true` (cookies, HTTP auth). @default false */
  credentials?: boolean;
}

/**
 * DI token of the {@link ResolvedChannelsOptions}.
 * @example
 * constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedChannelsOptions) {}
 */
export const RESOLVED_OPTIONS = Symbol('channels:resolved-options');

/**
 * The options with every default filled in (`allowedOrigins`, `adapter` and `historyStore` stay
 * `undefined` when not given); inject it with {@link RESOLVED_OPTIONS}.
 * @example const { path, heartbeatMs } = this.options; // '/channels', 25000 by default
 */
export type ResolvedChannelsOptions = Required<
  Omit<
    ChannelsModuleOptions,
    | 'allowedOrigins'
    | 'history'
    | 'adapter'
    | 'historyStore'
    | 'cors'
    | 'redis'
    | 'clientIp'
    | 'trustProxy'
    | 'frameLimits'
  >
> & {
  redis: ChannelsRedisOptions | undefined;
  /** The connection the `redis` option made (the module starts and closes it). */
  redisConnection: RedisConnection | undefined;
  clientIp: ((request: IncomingMessage) => string | undefined) | undefined;
  trustProxy: TrustProxy | undefined;
  frameLimits: ResolvedFrameLimits;
  allowedOrigins: string[] | undefined;
  adapter: BroadcastAdapter | undefined;
  historyStore: HistoryStore | undefined;
  history: { size: number; ttlMs: number };
  cors: { origins: string[] | undefined; credentials: boolean };
};

/**
 * The default validator options (the `validation` option's default): unknown fields are
 * rejected, never silently passed on.
 * @example
 * ChannelsModule.forRoot({ validation: { ...DEFAULT_VALIDATION, skipMissingProperties: true } })
 */
export const DEFAULT_VALIDATION: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
};

/** Fills in every default of {@link ChannelsModuleOptions}. */
export function resolveOptions(options: ChannelsModuleOptions = {}): ResolvedChannelsOptions {
  return {
    path: normalizePath(options.path ?? '/channels'),
    heartbeatMs: options.heartbeatMs ?? 25_000,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 10_000,
    maxPayloadBytes: options.maxPayloadBytes ?? 64 * 1024,
    maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection ?? 100,
    maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
    validation: options.validation ?? DEFAULT_VALIDATION,
    frameLimits: resolveFrameLimits(options.frameLimits),
    maxValidationDetails: options.maxValidationDetails ?? 20,
    allowedOrigins: options.allowedOrigins,
    principalKey: options.principalKey ?? defaultPrincipalKey,
    extractToken: options.extractToken ?? createTokenExtractor(),
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 5_000,
    history: { size: options.history?.size ?? 100, ttlMs: options.history?.ttlMs ?? 300_000 },
    adapter: typeof options.adapter === 'function' ? options.adapter() : options.adapter,
    historyStore:
      typeof options.historyStore === 'function' ? options.historyStore() : options.historyStore,
    redis: options.redis,
    redisConnection: undefined,
    sseHeartbeatMs: options.sseHeartbeatMs ?? 15_000,
    sseRetryMs: options.sseRetryMs ?? 3_000,
    cors: {
      origins: options.cors?.origins ?? options.allowedOrigins,
      credentials: options.cors?.credentials ?? false,
    },
    maxConnectionsPerPrincipal: options.maxConnectionsPerPrincipal ?? 20,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? 1_000,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    principalExpiresAt: options.principalExpiresAt ?? defaultPrincipalExpiresAt,
    clientIp: options.clientIp,
    trustProxy: options.trustProxy,
    handshakeGuards: options.handshakeGuards ?? [],
    handshakeAdmission: options.handshakeAdmission ?? {},
    rateLimit: options.rateLimit ?? {},
    connectionRateLimit: options.connectionRateLimit ?? {},
    rateLimitStore: options.rateLimitStore ?? new MemoryRateLimitStore(),
    transports: options.transports ?? true,
    presence: options.presence ?? {},
    shutdownCloseCode: options.shutdownCloseCode ?? 1001,
  };
}

function normalizePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.length > 1 ? withSlash.replace(/\/+$/, '') : withSlash;
}

function defaultPrincipalKey(principal: unknown): string | undefined {
  if (typeof principal === 'string') return principal;
  if (typeof principal !== 'object' || principal === null) return undefined;
  const record = principal as Record<string, unknown>;
  const key = record.id ?? record.sub ?? record.userId;
  return key === undefined || key === null ? undefined : String(key);
}

function defaultPrincipalExpiresAt(principal: unknown): number | Date | undefined {
  if (typeof principal !== 'object' || principal === null) return undefined;
  const { exp, expiresAt } = principal as Record<string, unknown>;
  if (typeof exp === 'number') return exp * 1000;
  return expiresAt instanceof Date || typeof expiresAt === 'number' ? expiresAt : undefined;
}
