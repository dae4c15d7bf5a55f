import { InMemoryBroadcastAdapter } from '../../../lib/brokers/in-memory.broadcast-adapter.js';
import { resolveOptions, type ChannelsModuleOptions } from '../../../lib/channels.options.js';
import { InMemoryHistoryStore } from '../../../lib/brokers/in-memory.history-store.js';
import { MemoryRateLimitStore } from '../../../lib/rate-limit/memory.rate-limit-store.js';

// The sections and the deprecated flat names resolve to the same flat settings; a section's
// field wins over its flat name.
describe('resolveOptions', () => {
  const principalKey = (p: unknown): string => String(p);
  const expiresAt = (): number => 1;
  const clientIp = (): string => '10.0.0.1';
  const extractToken = (): string => 't';
  const adapter = new InMemoryBroadcastAdapter();
  const historyStore = new InMemoryHistoryStore();
  const store = new MemoryRateLimitStore();

  const grouped: ChannelsModuleOptions = {
    auth: {
      handshakeGuards: [],
      extractToken,
      principalKey,
      principalExpiresAt: expiresAt,
      allowedOrigins: ['https://a.example'],
      trustProxy: 'loopback',
      clientIp,
    },
    limits: {
      maxPayloadBytes: 1000,
      maxSubscriptionsPerConnection: 3,
      maxBufferedBytes: 2000,
      maxConnectionsPerPrincipal: 4,
      maxConnectionsPerIp: 5,
      frameLimits: { maxDepth: 6 },
      maxValidationDetails: 7,
      handshakeTimeoutMs: 8000,
    },
    heartbeat: { intervalMs: 9000, timeoutMs: 1100 },
    sse: { heartbeatMs: 1200, retryMs: 1300, cors: { credentials: true } },
    rateLimits: {
      message: { points: 14 },
      connection: false,
      handshakeAdmission: { points: 15 },
      store,
    },
    stores: {
      adapter: () => adapter,
      historyStore,
      history: { size: 16 },
      presence: { coalesceMs: 17 },
    },
    shutdown: { timeoutMs: 1800 },
  };

  const flat: ChannelsModuleOptions = {
    handshakeGuards: [],
    extractToken,
    principalKey,
    principalExpiresAt: expiresAt,
    allowedOrigins: ['https://a.example'],
    trustProxy: 'loopback',
    clientIp,
    maxPayloadBytes: 1000,
    maxSubscriptionsPerConnection: 3,
    maxBufferedBytes: 2000,
    maxConnectionsPerPrincipal: 4,
    maxConnectionsPerIp: 5,
    frameLimits: { maxDepth: 6 },
    maxValidationDetails: 7,
    handshakeTimeoutMs: 8000,
    heartbeatMs: 9000,
    heartbeatTimeoutMs: 1100,
    sseHeartbeatMs: 1200,
    sseRetryMs: 1300,
    cors: { credentials: true },
    rateLimit: { points: 14 },
    connectionRateLimit: false,
    handshakeAdmission: { points: 15 },
    rateLimitStore: store,
    adapter: () => adapter,
    historyStore,
    history: { size: 16 },
    presence: { coalesceMs: 17 },
    shutdownTimeoutMs: 1800,
  };

  const expected = {
    allowedOrigins: ['https://a.example'],
    trustProxy: 'loopback',
    clientIp,
    extractToken,
    principalKey,
    principalExpiresAt: expiresAt,
    maxPayloadBytes: 1000,
    maxSubscriptionsPerConnection: 3,
    maxBufferedBytes: 2000,
    maxConnectionsPerPrincipal: 4,
    maxConnectionsPerIp: 5,
    maxValidationDetails: 7,
    handshakeTimeoutMs: 8000,
    heartbeatMs: 9000,
    heartbeatTimeoutMs: 1100,
    sseHeartbeatMs: 1200,
    sseRetryMs: 1300,
    cors: { origins: ['https://a.example'], credentials: true },
    rateLimit: { points: 14 },
    connectionRateLimit: false,
    handshakeAdmission: { points: 15 },
    rateLimitStore: store,
    adapter,
    historyStore,
    history: { size: 16, ttlMs: 300_000 },
    presence: { coalesceMs: 17 },
    shutdownTimeoutMs: 1800,
  };

  it('reads every setting from its section', () => {
    const resolved = resolveOptions(grouped);
    expect(resolved).toMatchObject(expected);
    expect(resolved.frameLimits.maxDepth).toBe(6);
  });

  it('still reads the deprecated flat names, to the same result', () => {
    const resolved = resolveOptions(flat);
    expect(resolved).toMatchObject(expected);
    expect(resolved.frameLimits.maxDepth).toBe(6);
  });

  it('takes the section over the flat name when both are given', () => {
    const resolved = resolveOptions({
      ...flat,
      heartbeatMs: 1,
      maxPayloadBytes: 2,
      sseRetryMs: 3,
      rateLimit: false,
      allowedOrigins: ['https://flat.example'],
      shutdownTimeoutMs: 4,
      history: { size: 5 },
      heartbeat: { intervalMs: 9000 },
      limits: { maxPayloadBytes: 1000 },
      sse: { retryMs: 1300 },
      rateLimits: { message: { points: 14 } },
      auth: { allowedOrigins: ['https://a.example'] },
      shutdown: { timeoutMs: 1800 },
      stores: { history: { size: 16 } },
    });
    expect(resolved).toMatchObject({
      heartbeatMs: 9000,
      maxPayloadBytes: 1000,
      sseRetryMs: 1300,
      rateLimit: { points: 14 },
      allowedOrigins: ['https://a.example'],
      cors: { origins: ['https://a.example'] },
      shutdownTimeoutMs: 1800,
      history: { size: 16 },
    });
    // A flat field with no section counterpart given still applies.
    expect(resolved.heartbeatTimeoutMs).toBe(1100);
  });

  it('fills in the defaults when neither is given', () => {
    const resolved = resolveOptions();
    expect(resolved).toMatchObject({
      path: '/channels',
      transports: true,
      heartbeatMs: 25_000,
      heartbeatTimeoutMs: 10_000,
      maxPayloadBytes: 65_536,
      maxSubscriptionsPerConnection: 100,
      maxBufferedBytes: 1_048_576,
      maxConnectionsPerPrincipal: 20,
      maxConnectionsPerIp: 1_000,
      handshakeTimeoutMs: 10_000,
      maxValidationDetails: 20,
      sseHeartbeatMs: 15_000,
      sseRetryMs: 3_000,
      shutdownTimeoutMs: 5_000,
      history: { size: 100, ttlMs: 300_000 },
      cors: { origins: undefined, credentials: false },
      allowedOrigins: undefined,
      adapter: undefined,
      historyStore: undefined,
      redis: undefined,
    });
    expect(resolved.rateLimitStore).toBeInstanceOf(MemoryRateLimitStore);
  });
});
