import type { CanActivate, Type } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import type { IncomingMessage } from 'node:http';
import type { BroadcastAdapter } from './adapters/broadcast.adapter.js';
import { createTokenExtractor, type TokenExtractor } from './auth/token.extractor.js';
import type { TrustProxy } from './auth/trust-proxy.js';
import type { HistoryStore } from './history/history.store.js';
import type { ChannelsAuthOptions } from './options/auth.options.js';
import type { FlatChannelsModuleOptions } from './options/flat.options.js';
import type { ChannelsHeartbeatOptions } from './options/heartbeat.options.js';
import type { ChannelsLimitsOptions } from './options/limits.options.js';
import type { ChannelsRateLimitsOptions } from './options/rate-limits.options.js';
import type { ChannelsShutdownOptions } from './options/shutdown.options.js';
import type { ChannelsSseOptions } from './options/sse.options.js';
import type { ChannelsStoresOptions } from './options/stores.options.js';
import type { PresenceModuleOptions } from './presence/presence.module-options.js';
import { resolveFrameLimits, type ResolvedFrameLimits } from './protocol/frame.limits.js';
import { MemoryRateLimitStore } from './rate-limit/memory.rate-limit-store.js';
import type { MessageRateLimitOptions, RateLimitBudget } from './rate-limit/rate-limit.options.js';
import type { RateLimitStore } from './rate-limit/rate-limit.store.js';
import type { RedisConnection } from './redis/redis.connection.js';
import type { ChannelsRedisOptions } from './redis/redis.options.js';

export type { ChannelsCorsOptions } from './options/sse.options.js';

/**
 * Options of {@link ChannelsModule}, in sections by concern. Every field is optional; the
 * defaults are those a public service can run with. The fields from before the sections
 * (`heartbeatMs`, `maxPayloadBytes` ...) are still read, and deprecated; a section's field wins
 * over its old flat name.
 *
 * @example
 * ChannelsModule.forRoot({
 *   path: '/channels',
 *   auth: { handshakeGuards: [AuthGuard('jwt')], allowedOrigins: ['https://app.example.com'] },
 *   limits: { maxPayloadBytes: 16 * 1024 },
 *   heartbeat: { intervalMs: 25_000 },
 *   stores: { redis: { url: process.env.REDIS_URL } },
 * })
 */
export interface ChannelsModuleOptions extends FlatChannelsModuleOptions {
  /**
   * The HTTP path of the WebSocket upgrade. The SSE endpoints live below it.
   * @default '/channels'
   */
  path?: string;
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
   * Validation of every handler payload whose type is a class, with class-validator and
   * class-transformer. `false` turns it off; an object replaces the validator options.
   * @default { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }
   */
  validation?: ValidatorOptions | false;
  /**
   * Who may connect: handshake guards, the credential, principals, origins, client addresses.
   * @default see {@link ChannelsAuthOptions}: no guards but the app's global ones, every origin
   */
  auth?: ChannelsAuthOptions;
  /**
   * Sizes and counts per frame, connection, principal and address, and the handshake deadline.
   * @default see {@link ChannelsLimitsOptions}: 64 KiB frames, 100 subscriptions, 1 MiB buffered,
   *   20 connections per principal, 1000 per IP, 10 s handshakes
   */
  limits?: ChannelsLimitsOptions;
  /**
   * The WebSocket heartbeat.
   * @default { intervalMs: 25000, timeoutMs: 10000 }
   */
  heartbeat?: ChannelsHeartbeatOptions;
  /**
   * The SSE fallback: its heartbeat, `retry:` delay and CORS.
   * @default { heartbeatMs: 15000, retryMs: 3000, cors: { origins: auth.allowedOrigins, credentials: false } }
   */
  sse?: ChannelsSseOptions;
  /**
   * Message, connection and handshake rate limits, and where their counters live.
   * @default see {@link ChannelsRateLimitsOptions}: 100 messages/s per connection, 600
   *   connections per IP per 10 s, 1000 handshakes/s per node, counted in memory
   */
  rateLimits?: ChannelsRateLimitsOptions;
  /**
   * Where state lives and how nodes share it: Redis, the broadcast adapter, history, presence.
   * @default one node, everything in memory, 100 pushes of history per channel for 5 minutes
   */
  stores?: ChannelsStoresOptions;
  /**
   * A graceful shutdown.
   * @default { timeoutMs: 5000 }
   */
  shutdown?: ChannelsShutdownOptions;
}

/**
 * DI token of the {@link ResolvedChannelsOptions}.
 * @example
 * constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedChannelsOptions) {}
 */
export const RESOLVED_OPTIONS = Symbol('channels:resolved-options');

/**
 * The options with every default filled in, flat (one field a setting, under its pre-section
 * name), for the module's own providers; inject it with {@link RESOLVED_OPTIONS}.
 * `allowedOrigins`, `adapter`, `historyStore`, `redis`, `clientIp` and `trustProxy` stay
 * `undefined` when not given.
 * @example const { path, heartbeatMs } = this.options; // '/channels', 25000 by default
 */
export interface ResolvedChannelsOptions {
  path: string;
  transports: boolean;
  validation: ValidatorOptions | false;
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
  maxPayloadBytes: number;
  maxSubscriptionsPerConnection: number;
  maxBufferedBytes: number;
  frameLimits: ResolvedFrameLimits;
  maxValidationDetails: number;
  maxConnectionsPerPrincipal: number;
  maxConnectionsPerIp: number;
  handshakeTimeoutMs: number;
  allowedOrigins: string[] | undefined;
  principalKey: (principal: unknown) => string | undefined;
  extractToken: TokenExtractor;
  principalExpiresAt: (principal: unknown) => number | Date | undefined;
  clientIp: ((request: IncomingMessage) => string | undefined) | undefined;
  trustProxy: TrustProxy | undefined;
  handshakeGuards: Array<Type<CanActivate> | CanActivate>;
  shutdownTimeoutMs: number;
  shutdownCloseCode: 1001 | 1012;
  history: { size: number; ttlMs: number };
  adapter: BroadcastAdapter | undefined;
  historyStore: HistoryStore | undefined;
  redis: ChannelsRedisOptions | undefined;
  /** The connection the `redis` option made (the module starts and closes it). */
  redisConnection: RedisConnection | undefined;
  presence: PresenceModuleOptions;
  sseHeartbeatMs: number;
  sseRetryMs: number;
  cors: { origins: string[] | undefined; credentials: boolean };
  rateLimit: MessageRateLimitOptions | false;
  connectionRateLimit: Partial<RateLimitBudget> | false;
  handshakeAdmission: Partial<RateLimitBudget> | false;
  rateLimitStore: RateLimitStore;
}

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

/**
 * Fills in every default of {@link ChannelsModuleOptions}, reading each setting from its
 * section first, then from its deprecated flat name.
 * @example resolveOptions({ heartbeat: { intervalMs: 30_000 } }).heartbeatMs // 30000
 */
export function resolveOptions(options: ChannelsModuleOptions = {}): ResolvedChannelsOptions {
  const { auth = {}, limits = {}, heartbeat = {}, sse = {}, rateLimits = {} } = options;
  const { stores = {}, shutdown = {} } = options;
  const allowedOrigins = auth.allowedOrigins ?? options.allowedOrigins;
  const cors = sse.cors ?? options.cors;
  const history = stores.history ?? options.history;
  const adapter = stores.adapter ?? options.adapter;
  const historyStore = stores.historyStore ?? options.historyStore;
  const rateLimitStore = rateLimits.store ?? options.rateLimitStore;
  return {
    path: normalizePath(options.path ?? '/channels'),
    transports: options.transports ?? true,
    validation: options.validation ?? DEFAULT_VALIDATION,
    heartbeatMs: heartbeat.intervalMs ?? options.heartbeatMs ?? 25_000,
    heartbeatTimeoutMs: heartbeat.timeoutMs ?? options.heartbeatTimeoutMs ?? 10_000,
    maxPayloadBytes: limits.maxPayloadBytes ?? options.maxPayloadBytes ?? 64 * 1024,
    maxSubscriptionsPerConnection:
      limits.maxSubscriptionsPerConnection ?? options.maxSubscriptionsPerConnection ?? 100,
    maxBufferedBytes: limits.maxBufferedBytes ?? options.maxBufferedBytes ?? 1024 * 1024,
    frameLimits: resolveFrameLimits(limits.frameLimits ?? options.frameLimits),
    maxValidationDetails: limits.maxValidationDetails ?? options.maxValidationDetails ?? 20,
    maxConnectionsPerPrincipal:
      limits.maxConnectionsPerPrincipal ?? options.maxConnectionsPerPrincipal ?? 20,
    maxConnectionsPerIp: limits.maxConnectionsPerIp ?? options.maxConnectionsPerIp ?? 1_000,
    handshakeTimeoutMs: limits.handshakeTimeoutMs ?? options.handshakeTimeoutMs ?? 10_000,
    allowedOrigins,
    principalKey: auth.principalKey ?? options.principalKey ?? defaultPrincipalKey,
    extractToken: auth.extractToken ?? options.extractToken ?? createTokenExtractor(),
    principalExpiresAt:
      auth.principalExpiresAt ?? options.principalExpiresAt ?? defaultPrincipalExpiresAt,
    clientIp: auth.clientIp ?? options.clientIp,
    trustProxy: auth.trustProxy ?? options.trustProxy,
    handshakeGuards: auth.handshakeGuards ?? options.handshakeGuards ?? [],
    shutdownTimeoutMs: shutdown.timeoutMs ?? options.shutdownTimeoutMs ?? 5_000,
    history: { size: history?.size ?? 100, ttlMs: history?.ttlMs ?? 300_000 },
    adapter: typeof adapter === 'function' ? adapter() : adapter,
    historyStore: typeof historyStore === 'function' ? historyStore() : historyStore,
    redis: stores.redis ?? options.redis,
    redisConnection: undefined,
    presence: stores.presence ?? options.presence ?? {},
    sseHeartbeatMs: sse.heartbeatMs ?? options.sseHeartbeatMs ?? 15_000,
    sseRetryMs: sse.retryMs ?? options.sseRetryMs ?? 3_000,
    cors: { origins: cors?.origins ?? allowedOrigins, credentials: cors?.credentials ?? false },
    rateLimit: rateLimits.message ?? options.rateLimit ?? {},
    connectionRateLimit: rateLimits.connection ?? options.connectionRateLimit ?? {},
    handshakeAdmission: rateLimits.handshakeAdmission ?? options.handshakeAdmission ?? {},
    rateLimitStore: rateLimitStore ?? new MemoryRateLimitStore(),
    shutdownCloseCode: shutdown.closeCode ?? 1001,
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
