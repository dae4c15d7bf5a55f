/**
 * The option names removed in 0.2.0, each with where its setting lives now (CHANGELOG.md).
 * TypeScript catches them in object literals, not in a JavaScript app or a config object
 * typed `any` (`forRootAsync({ useFactory: (config) => config.get('channels') })`): without
 * this check such an app would start without its guards, origins or Redis, silently.
 * @example REMOVED_OPTIONS.handshakeGuards // 'auth.handshakeGuards'
 */
export const REMOVED_OPTIONS: Readonly<Record<string, string>> = {
  heartbeatMs: 'heartbeat.intervalMs',
  heartbeatTimeoutMs: 'heartbeat.timeoutMs',
  maxPayloadBytes: 'limits.maxPayloadBytes',
  maxSubscriptionsPerConnection: 'limits.maxSubscriptionsPerConnection',
  maxBufferedBytes: 'limits.maxBufferedBytes',
  frameLimits: 'limits.frameLimits',
  maxValidationDetails: 'limits.maxValidationDetails',
  maxConnectionsPerPrincipal: 'limits.maxConnectionsPerPrincipal',
  maxConnectionsPerIp: 'limits.maxConnectionsPerIp',
  handshakeTimeoutMs: 'limits.handshakeTimeoutMs',
  allowedOrigins: 'auth.allowedOrigins',
  principalKey: 'auth.principalKey',
  extractToken: 'auth.extractToken',
  principalExpiresAt: 'auth.principalExpiresAt',
  clientIp: 'auth.clientIp',
  handshakeGuards: 'auth.handshakeGuards',
  trustProxy: 'auth.trustProxy',
  shutdownTimeoutMs: 'shutdown.timeoutMs',
  sseHeartbeatMs: 'sse.heartbeatMs',
  sseRetryMs: 'sse.retryMs',
  cors: 'sse.cors',
  rateLimit: 'rateLimits.message',
  connectionRateLimit: 'rateLimits.connection',
  handshakeAdmission: 'rateLimits.handshakeAdmission',
  rateLimitStore: 'stores.rateLimit',
  redis: 'stores.redis',
  adapter: 'stores.broker',
  historyStore: 'stores.history',
  'stores.adapter': 'stores.broker',
  'stores.historyStore': 'stores.history',
  'rateLimits.store': 'stores.rateLimit',
};

/**
 * Refuses an option object that still uses a removed name, naming its new place.
 * @throws Error `the option "redis" was removed in 0.2.0: use "stores.redis"`
 * @example assertNoRemovedOptions({ heartbeat: { intervalMs: 30_000 } }) // passes
 */
export function assertNoRemovedOptions(options: object): void {
  const sections = options as Record<string, unknown>;
  const names = Object.keys(sections);
  for (const section of ['stores', 'rateLimits']) {
    const value = sections[section];
    if (typeof value === 'object' && value !== null)
      names.push(...Object.keys(value).map((key) => `${section}.${key}`));
  }
  const removed = names.filter((name) => Object.hasOwn(REMOVED_OPTIONS, name));
  if (removed.length === 0) return;
  const moves = removed.map((name) => `"${name}" -> "${REMOVED_OPTIONS[name]}"`).join(', ');
  throw new Error(
    `nestjs-channels: options removed in 0.2.0 were given: ${moves} (see CHANGELOG.md).`,
  );
}
