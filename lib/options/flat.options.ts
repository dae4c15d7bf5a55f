import type { CanActivate, Type } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { BroadcastAdapter } from '../adapters/broadcast.adapter.js';
import type { TokenExtractor } from '../auth/token.extractor.js';
import type { TrustProxy } from '../auth/trust-proxy.js';
import type { HistoryStore } from '../history/history.store.js';
import type { PresenceModuleOptions } from '../presence/presence.module-options.js';
import type { FrameLimits } from '../protocol/frame.limits.js';
import type { MessageRateLimitOptions, RateLimitBudget } from '../rate-limit/rate-limit.options.js';
import type { RateLimitStore } from '../rate-limit/rate-limit.store.js';
import type { ChannelsRedisOptions } from '../redis/redis.options.js';
import type { ChannelsCorsOptions } from './sse.options.js';

/**
 * The options as they were before they were grouped into sections: still read, so existing
 * apps keep working. When a field is given both here and in its section, the section wins.
 *
 * @deprecated Use the sections of {@link ChannelsModuleOptions} (`limits`, `heartbeat`, `sse`,
 *   `rateLimits`, `auth`, `stores`, `shutdown`); each field below names its new place.
 * @example
 * // before                                   // now
 * ChannelsModule.forRoot({ heartbeatMs: 30_000 }); ChannelsModule.forRoot({ heartbeat: { intervalMs: 30_000 } });
 */
export interface FlatChannelsModuleOptions {
  /** @deprecated Use `heartbeat.intervalMs`. @default 25000 */
  heartbeatMs?: number;
  /** @deprecated Use `heartbeat.timeoutMs`. @default 10000 */
  heartbeatTimeoutMs?: number;
  /** @deprecated Use `limits.maxPayloadBytes`. @default 65536 */
  maxPayloadBytes?: number;
  /** @deprecated Use `limits.maxSubscriptionsPerConnection`. @default 100 */
  maxSubscriptionsPerConnection?: number;
  /** @deprecated Use `limits.maxBufferedBytes`. @default 1048576 */
  maxBufferedBytes?: number;
  /** @deprecated Use `limits.frameLimits`. @default DEFAULT_FRAME_LIMITS */
  frameLimits?: FrameLimits;
  /** @deprecated Use `limits.maxValidationDetails`. @default 20 */
  maxValidationDetails?: number;
  /** @deprecated Use `limits.maxConnectionsPerPrincipal`. @default 20 */
  maxConnectionsPerPrincipal?: number;
  /** @deprecated Use `limits.maxConnectionsPerIp`. @default 1000 */
  maxConnectionsPerIp?: number;
  /** @deprecated Use `limits.handshakeTimeoutMs`. @default 10000 */
  handshakeTimeoutMs?: number;
  /** @deprecated Use `auth.allowedOrigins`. @default undefined */
  allowedOrigins?: string[];
  /** @deprecated Use `auth.principalKey`. @default reads `id`, `sub`, `userId` */
  principalKey?: (principal: unknown) => string | undefined;
  /** @deprecated Use `auth.extractToken`. @default `createTokenExtractor()` */
  extractToken?: TokenExtractor;
  /** @deprecated Use `auth.principalExpiresAt`. @default reads `exp`, then `expiresAt` */
  principalExpiresAt?: (principal: unknown) => number | Date | undefined;
  /** @deprecated Use `auth.clientIp`. @default undefined */
  clientIp?: (request: IncomingMessage) => string | undefined;
  /** @deprecated Use `auth.handshakeGuards`. @default [] */
  handshakeGuards?: Array<Type<CanActivate> | CanActivate>;
  /** @deprecated Use `auth.trustProxy`. @default undefined */
  trustProxy?: TrustProxy;
  /** @deprecated Use `shutdown.timeoutMs`. @default 5000 */
  shutdownTimeoutMs?: number;
  /** @deprecated Use `stores.history`. @default { size: 100, ttlMs: 300000 } */
  history?: { size?: number; ttlMs?: number };
  /** @deprecated Use `stores.adapter`. @default an `InMemoryBroadcastAdapter` */
  adapter?: BroadcastAdapter | (() => BroadcastAdapter);
  /** @deprecated Use `stores.historyStore`. @default an `InMemoryHistoryStore` */
  historyStore?: HistoryStore | (() => HistoryStore);
  /** @deprecated Use `stores.redis`. @default undefined */
  redis?: ChannelsRedisOptions;
  /** @deprecated Use `stores.presence`. @default {} */
  presence?: PresenceModuleOptions;
  /** @deprecated Use `sse.heartbeatMs`. @default 15000 */
  sseHeartbeatMs?: number;
  /** @deprecated Use `sse.retryMs`. @default 3000 */
  sseRetryMs?: number;
  /** @deprecated Use `sse.cors`. @default { origins: allowedOrigins, credentials: false } */
  cors?: ChannelsCorsOptions;
  /** @deprecated Use `rateLimits.message`. @default DEFAULT_MESSAGE_RATE_LIMIT */
  rateLimit?: MessageRateLimitOptions | false;
  /** @deprecated Use `rateLimits.connection`. @default DEFAULT_CONNECTION_RATE_LIMIT */
  connectionRateLimit?: Partial<RateLimitBudget> | false;
  /** @deprecated Use `rateLimits.handshakeAdmission`. @default DEFAULT_HANDSHAKE_ADMISSION */
  handshakeAdmission?: Partial<RateLimitBudget> | false;
  /** @deprecated Use `rateLimits.store`. @default a `MemoryRateLimitStore` */
  rateLimitStore?: RateLimitStore;
}
