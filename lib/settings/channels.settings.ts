import type { CanActivate, Type } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import type { IncomingMessage } from 'node:http';
import { resolveFrameLimits, type ResolvedFrameLimits } from '../protocol/frame.limits.js';
import { createTokenExtractor, type TokenExtractor } from '../protocol/token.extractor.js';
import {
  resolveAdmission,
  type ChannelsAdmissionOptions,
  type ResolvedAdmission,
} from './admission.options.js';
import type { ChannelsAuthOptions } from './auth.options.js';
import {
  resolveCompression,
  type ChannelsCompressionOptions,
  type ResolvedCompression,
} from './compression.options.js';
import type { ChannelsHeartbeatOptions } from './heartbeat.options.js';
import type { ChannelsHistoryOptions } from './history.options.js';
import type { ChannelsStreamsOptions } from './streams.options.js';

import {
  resolveDelivery,
  type ChannelsDeliveryOptions,
  type ResolvedDelivery,
} from './delivery.options.js';
import type { ChannelsLimitsOptions } from './limits.options.js';
import type { ChannelsPresenceOptions } from './presence.options.js';
import {
  DEFAULT_CONNECTION_RATE_LIMIT,
  DEFAULT_FORWARDED_RATE_LIMIT,
  DEFAULT_HANDSHAKE_ADMISSION,
  resolveBudget,
  resolveMessageRateLimit,
  type RateLimitBudget,
  type ResolvedMessageRateLimit,
} from './rate-limit.budgets.js';
import type { ChannelsRateLimitsOptions } from './rate-limits.options.js';
import type { ChannelsShutdownOptions } from './shutdown.options.js';
import type { ChannelsSseOptions } from './sse.options.js';
import { assertNoRemovedOptions } from './removed-options.js';
import type { TrustProxy } from './trust-proxy.js';

/**
 * The plain settings of {@link ChannelsModule}: every option section but `stores` (which holds
 * live objects and is resolved into DI providers instead). `ChannelsModuleOptions` extends it.
 *
 * @example
 * const input: ChannelsSettingsInput = { heartbeat: { intervalMs: 30_000 }, limits: { maxPayloadBytes: 16 * 1024 } };
 */
export interface ChannelsSettingsInput {
  /**
   * The HTTP path of the WebSocket upgrade. The SSE endpoints live below it.
   * @default '/channels'
   */
  path?: string;
  /**
   * Puts the endpoints (the WebSocket upgrade, `GET {path}/sse`, `POST {path}/messages`) under
   * the app's global prefix (`app.setGlobalPrefix('api')`: `/api/channels`), as the option of
   * the same name of Nest's GraphQL and Swagger modules does. The prefix's `exclude` list is
   * not consulted. The AsyncAPI document and the testing helpers follow, and the startup log
   * names the paths either way.
   * @default false: `path` as given, whatever the global prefix
   * @example ChannelsModule.forRoot({ useGlobalPrefix: true }) // with app.setGlobalPrefix('api'): /api/channels
   */
  useGlobalPrefix?: boolean;
  /**
   * Whether the module attaches its transports (the WebSocket upgrade and the SSE endpoints)
   * to the app's HTTP server. Without an HTTP application (a testing module that is only
   * `init()`ed) they stay off whatever this says, as Nest's own gateways do. `false` starts the
   * module without them, and without needing an HTTP server at all: a service's tests can
   * `init()` an `AppModule` that imports `ChannelsModule` (a `TestingModule`,
   * `NestFactory.createApplicationContext`), publish, and read what was published (see
   * `RecordingBroker` in `nestjs-channels/testing`).
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
   * Message, connection and handshake rate limits (where their counters live is
   * `stores.rateLimit`).
   * @default see {@link ChannelsRateLimitsOptions}: 100 messages/s per connection, 600
   *   connections per IP per 10 s, no fixed handshake rate per node
   */
  rateLimits?: ChannelsRateLimitsOptions;
  /**
   * History kept for every channel, for recovery after a reconnect (read by the module's own
   * history stores; a store you supply keeps its own settings).
   * @default { size: 100, ttlMs: 300000 }
   */
  history?: ChannelsHistoryOptions;
  /**
   * How presence changes are gathered and how long a dead node's members stay listed.
   * Which channels have presence is declared on their `@OnJoin` (see docs/presence.md).
   * @default { coalesceMs: 50, ttlMs: 30000 }
   */
  presence?: ChannelsPresenceOptions;
  /**
   * Delivery policies of channels by pattern, for those whose `@OnJoin` declares none.
   * @default { channels: {} } (every channel `all`)
   */
  delivery?: ChannelsDeliveryOptions;
  /**
   * A graceful shutdown.
   * @default { timeoutMs: 5000, closeCode: 1001 }
   */
  shutdown?: ChannelsShutdownOptions;
  /**
   * Streamed replies: how long a stream nobody listens to keeps running.
   * @default { idleMs: 30000 }
   */
  streams?: ChannelsStreamsOptions;
  /**
   * WebSocket permessage-deflate: off unless enabled (see {@link ChannelsCompressionOptions}).
   * @default { enabled: false }
   */
  compression?: ChannelsCompressionOptions;
  /**
   * Admission by overload: new handshakes are shed (HTTP 503, `Retry-After`) only while the
   * node is behind.
   * @default see {@link ChannelsAdmissionOptions}: 500 ms of event-loop delay, 1000 handshakes
   *   in flight, retry after 1-2 s
   */
  admission?: ChannelsAdmissionOptions;
}

/**
 * The module's settings with every default filled in, by section, as plain values (no live
 * objects: the broker and the stores are DI providers). Resolved once, by
 * {@link resolveSettings}; the module's providers inject it with {@link CHANNELS_SETTINGS}.
 * @example const { intervalMs } = this.settings.heartbeat; // 25000 by default
 */
export interface ChannelsSettings {
  readonly path: string;
  readonly useGlobalPrefix: boolean;
  readonly transports: boolean;
  readonly validation: ValidatorOptions | false;
  readonly heartbeat: { readonly intervalMs: number; readonly timeoutMs: number };
  readonly limits: {
    readonly maxPayloadBytes: number;
    readonly maxSubscriptionsPerConnection: number;
    readonly maxBufferedBytes: number;
    readonly frameLimits: ResolvedFrameLimits;
    readonly maxValidationDetails: number;
    readonly maxConnectionsPerPrincipal: number;
    readonly maxConnectionsPerIp: number;
    readonly handshakeTimeoutMs: number;
    readonly bodyTimeoutMs: number;
    readonly maxPendingBodiesPerIp: number;
    readonly maxForwardedPerPrincipal: number;
    readonly maxForwardedPerNode: number;
  };
  readonly auth: {
    readonly handshakeGuards: ReadonlyArray<Type<CanActivate> | CanActivate>;
    readonly extractToken: TokenExtractor;
    readonly principalKey: (principal: unknown) => string | undefined;
    readonly principalExpiresAt: (principal: unknown) => number | Date | undefined;
    /** `undefined`: the app's `enableCors()` origins, else its own origin only. */
    readonly allowedOrigins: readonly string[] | undefined;
    /** `undefined`: the app's own `trust proxy` setting. */
    readonly trustProxy: TrustProxy | undefined;
    /** `undefined`: derived from `trustProxy`. */
    readonly clientIp: ((request: IncomingMessage) => string | undefined) | undefined;
  };
  readonly sse: {
    readonly heartbeatMs: number;
    readonly retryMs: number;
    readonly cors: {
      readonly origins: readonly string[] | undefined;
      readonly credentials: boolean;
    };
  };
  readonly rateLimits: {
    readonly message: ResolvedMessageRateLimit | false;
    readonly connection: RateLimitBudget | false;
    readonly handshakeAdmission: RateLimitBudget | false;
    readonly forwarded: RateLimitBudget | false;
  };
  readonly history: { readonly size: number; readonly ttlMs: number };
  readonly presence: { readonly coalesceMs: number; readonly ttlMs: number };
  readonly delivery: ResolvedDelivery;
  readonly shutdown: { readonly timeoutMs: number; readonly closeCode: 1001 | 1012 };
  readonly streams: { readonly idleMs: number };
  readonly compression: ResolvedCompression;
  readonly admission: ResolvedAdmission;
}

/**
 * DI token of the {@link ChannelsSettings}.
 * @example
 * constructor(@Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings) {}
 */
export const CHANNELS_SETTINGS = Symbol('channels:settings');

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
 * Fills in every default of the options' plain sections: the one place defaults live.
 * @throws Error naming the option, for a rate-limit budget that is not two positive numbers, and
 *   for an option name removed in 0.2.0 (naming where it lives now)
 * @example resolveSettings({ heartbeat: { intervalMs: 30_000 } }).heartbeat.intervalMs // 30000
 */
export function resolveSettings(options: ChannelsSettingsInput = {}): ChannelsSettings {
  assertNoRemovedOptions(options);
  const { auth = {}, limits = {}, heartbeat = {}, sse = {}, rateLimits = {} } = options;
  const { history = {}, presence = {}, shutdown = {} } = options;
  return {
    path: normalizePath(options.path ?? '/channels'),
    useGlobalPrefix: options.useGlobalPrefix ?? false,
    transports: options.transports ?? true,
    validation: options.validation ?? DEFAULT_VALIDATION,
    heartbeat: {
      intervalMs: heartbeat.intervalMs ?? 25_000,
      timeoutMs: heartbeat.timeoutMs ?? 10_000,
    },
    limits: {
      maxPayloadBytes: limits.maxPayloadBytes ?? 64 * 1024,
      maxSubscriptionsPerConnection: limits.maxSubscriptionsPerConnection ?? 100,
      maxBufferedBytes: limits.maxBufferedBytes ?? 1024 * 1024,
      frameLimits: resolveFrameLimits(limits.frameLimits),
      maxValidationDetails: limits.maxValidationDetails ?? 20,
      maxConnectionsPerPrincipal: limits.maxConnectionsPerPrincipal ?? 20,
      maxConnectionsPerIp: limits.maxConnectionsPerIp ?? 1_000,
      handshakeTimeoutMs: limits.handshakeTimeoutMs ?? 10_000,
      bodyTimeoutMs: limits.bodyTimeoutMs ?? 5_000,
      maxPendingBodiesPerIp: limits.maxPendingBodiesPerIp ?? 100,
      maxForwardedPerPrincipal: limits.maxForwardedPerPrincipal ?? 16,
      maxForwardedPerNode: limits.maxForwardedPerNode ?? 256,
    },
    auth: {
      handshakeGuards: auth.handshakeGuards ?? [],
      extractToken: auth.extractToken ?? createTokenExtractor(),
      principalKey: auth.principalKey ?? defaultPrincipalKey,
      principalExpiresAt: auth.principalExpiresAt ?? defaultPrincipalExpiresAt,
      allowedOrigins: auth.allowedOrigins,
      trustProxy: auth.trustProxy,
      clientIp: auth.clientIp,
    },
    sse: {
      heartbeatMs: sse.heartbeatMs ?? 15_000,
      retryMs: sse.retryMs ?? 3_000,
      cors: {
        origins: sse.cors?.origins ?? auth.allowedOrigins,
        credentials: sse.cors?.credentials ?? false,
      },
    },
    rateLimits: {
      message: resolveMessageRateLimit(rateLimits.message),
      connection: resolveBudget(
        rateLimits.connection,
        DEFAULT_CONNECTION_RATE_LIMIT,
        'rateLimits.connection',
      ),
      // Off unless configured: the default sheds by overload (the `admission` section).
      handshakeAdmission: resolveBudget(
        rateLimits.handshakeAdmission ?? false,
        DEFAULT_HANDSHAKE_ADMISSION,
        'rateLimits.handshakeAdmission',
      ),
      forwarded: resolveBudget(
        rateLimits.forwarded,
        DEFAULT_FORWARDED_RATE_LIMIT,
        'rateLimits.forwarded',
      ),
    },
    history: { size: history.size ?? 100, ttlMs: history.ttlMs ?? 300_000 },
    presence: { coalesceMs: presence.coalesceMs ?? 50, ttlMs: presence.ttlMs ?? 30_000 },
    delivery: resolveDelivery(options.delivery),
    shutdown: { timeoutMs: shutdown.timeoutMs ?? 5_000, closeCode: shutdown.closeCode ?? 1001 },
    streams: { idleMs: options.streams?.idleMs ?? 30_000 },
    compression: resolveCompression(options.compression),
    admission: resolveAdmission(options.admission),
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
