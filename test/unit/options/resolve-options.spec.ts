import { Test } from '@nestjs/testing';
import { Broker } from '../../../lib/brokers/broker.js';
import { HistoryStore } from '../../../lib/brokers/history.store.js';
import { InMemoryBroker } from '../../../lib/brokers/in-memory.broker.js';
import { InMemoryHistoryStore } from '../../../lib/brokers/in-memory.history-store.js';
import { CHANNELS_OPTIONS } from '../../../lib/channels.module-definition.js';
import type { ChannelsModuleOptions } from '../../../lib/channels.options.js';
import { storeProviders } from '../../../lib/channels.providers.js';
import { InMemoryPresenceStore } from '../../../lib/presence/in-memory.presence-store.js';
import { PresenceStore } from '../../../lib/presence/presence.store.js';
import { MemoryRateLimitStore } from '../../../lib/rate-limit/memory.rate-limit-store.js';
import { RateLimitStore } from '../../../lib/rate-limit/rate-limit.store.js';
import {
  CHANNELS_SETTINGS,
  resolveSettings,
  type ChannelsSettingsInput,
} from '../../../lib/settings/channels.settings.js';

// Every section resolves to its settings, with the defaults filled in where nothing is given.
describe('resolveSettings', () => {
  const principalKey = (p: unknown): string => String(p);
  const expiresAt = (): number => 1;
  const clientIp = (): string => '10.0.0.1';
  const extractToken = (): string => 't';

  const sections: ChannelsSettingsInput = {
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
    },
    history: { size: 16 },
    presence: { coalesceMs: 17 },
    shutdown: { timeoutMs: 1800 },
  };

  it('reads every setting from its section', () => {
    const settings = resolveSettings(sections);
    expect(settings).toMatchObject({
      auth: {
        handshakeGuards: [],
        allowedOrigins: ['https://a.example'],
        trustProxy: 'loopback',
        clientIp,
        extractToken,
        principalKey,
        principalExpiresAt: expiresAt,
      },
      limits: {
        maxPayloadBytes: 1000,
        maxSubscriptionsPerConnection: 3,
        maxBufferedBytes: 2000,
        maxConnectionsPerPrincipal: 4,
        maxConnectionsPerIp: 5,
        maxValidationDetails: 7,
        handshakeTimeoutMs: 8000,
      },
      heartbeat: { intervalMs: 9000, timeoutMs: 1100 },
      sse: {
        heartbeatMs: 1200,
        retryMs: 1300,
        cors: { origins: ['https://a.example'], credentials: true },
      },
      rateLimits: {
        message: { points: 14 },
        connection: false,
        handshakeAdmission: { points: 15 },
      },
      history: { size: 16, ttlMs: 300_000 },
      presence: { coalesceMs: 17 },
      shutdown: { timeoutMs: 1800 },
    });
    expect(settings.limits.frameLimits.maxDepth).toBe(6);
  });

  it('fills in the defaults of every section when nothing is given', () => {
    const settings = resolveSettings();
    expect(settings).toMatchObject({
      path: '/channels',
      transports: true,
      heartbeat: { intervalMs: 25_000, timeoutMs: 10_000 },
      limits: {
        maxPayloadBytes: 65_536,
        maxSubscriptionsPerConnection: 100,
        maxBufferedBytes: 1_048_576,
        maxConnectionsPerPrincipal: 20,
        maxConnectionsPerIp: 1_000,
        handshakeTimeoutMs: 10_000,
        maxValidationDetails: 20,
        bodyTimeoutMs: 5_000,
        maxPendingBodiesPerIp: 100,
        maxForwardedPerPrincipal: 16,
        maxForwardedPerNode: 256,
      },
      auth: { allowedOrigins: undefined, trustProxy: undefined, clientIp: undefined },
      sse: {
        heartbeatMs: 15_000,
        retryMs: 3_000,
        cors: { origins: undefined, credentials: false },
      },
      rateLimits: {
        message: { points: 100, durationMs: 1_000, abuseThreshold: 50, abuseWindowMs: 10_000 },
        connection: { points: 600, durationMs: 10_000 },
        handshakeAdmission: false,
        forwarded: { points: 100, durationMs: 1_000 },
      },
      history: { size: 100, ttlMs: 300_000 },
      presence: { coalesceMs: 50, ttlMs: 30_000 },
      shutdown: { timeoutMs: 5_000, closeCode: 1001 },
      admission: { maxEventLoopDelayMs: 500, maxHandshakesInFlight: 1_000, retryAfterMs: 1_000 },
    });
  });

  it('fills in the defaults of a section where only some of its fields are given', () => {
    const settings = resolveSettings({
      heartbeat: { timeoutMs: 1 },
      sse: { retryMs: 2 },
      rateLimits: { message: { points: 3 }, connection: { durationMs: 4 } },
      history: { ttlMs: 5 },
      presence: { ttlMs: 6 },
      shutdown: { closeCode: 1012 },
    });
    expect(settings).toMatchObject({
      heartbeat: { intervalMs: 25_000, timeoutMs: 1 },
      sse: { heartbeatMs: 15_000, retryMs: 2 },
      rateLimits: {
        message: { points: 3, durationMs: 1_000, abuseThreshold: 50, abuseWindowMs: 10_000 },
        connection: { points: 600, durationMs: 4 },
        handshakeAdmission: false,
      },
      history: { size: 100, ttlMs: 5 },
      presence: { coalesceMs: 50, ttlMs: 6 },
      shutdown: { timeoutMs: 5_000, closeCode: 1012 },
    });
  });

  it('fills in a fixed handshake rate only where one is asked for, and the admission limits', () => {
    const settings = resolveSettings({
      rateLimits: { handshakeAdmission: { points: 300 } },
      admission: { maxEventLoopDelayMs: false, retryAfterMs: 250 },
    });
    expect(settings.rateLimits.handshakeAdmission).toEqual({ points: 300, durationMs: 1_000 });
    expect(settings.admission).toEqual({
      maxEventLoopDelayMs: false,
      maxHandshakesInFlight: 1_000,
      retryAfterMs: 250,
    });
  });

  it.each([
    [{ maxEventLoopDelayMs: 0 }, 'admission.maxEventLoopDelayMs'],
    [{ maxHandshakesInFlight: -1 }, 'admission.maxHandshakesInFlight'],
    [{ retryAfterMs: Number.NaN }, 'admission.retryAfterMs'],
  ])('refuses an admission limit that is not a positive number: %j', (admission, name) => {
    expect(() => resolveSettings({ admission })).toThrow(name);
  });

  it('turns a rate limit off with false', () => {
    const { rateLimits } = resolveSettings({
      rateLimits: {
        message: false,
        connection: false,
        handshakeAdmission: false,
        forwarded: false,
      },
    });
    expect(rateLimits).toEqual({
      message: false,
      connection: false,
      handshakeAdmission: false,
      forwarded: false,
    });
  });

  it('keys the message rate limit by connection unless a key is given', () => {
    const key = (subject: { id: string; principal?: unknown }): string => String(subject.principal);
    const byDefault = resolveSettings().rateLimits.message;
    const keyed = resolveSettings({ rateLimits: { message: { key } } }).rateLimits.message;
    expect(byDefault && byDefault.defaultKey).toBe(true);
    expect(byDefault && byDefault.key({ id: 'c1', principal: 'alice' })).toBe('c1');
    expect(keyed && keyed.defaultKey).toBe(false);
    expect(keyed && keyed.key({ id: 'c1', principal: 'alice' })).toBe('alice');
  });

  it('takes the SSE CORS origins from auth.allowedOrigins unless sse.cors names its own', () => {
    const auth = { allowedOrigins: ['https://a.example'] };
    expect(resolveSettings({ auth }).sse.cors).toEqual({
      origins: ['https://a.example'],
      credentials: false,
    });
    expect(
      resolveSettings({ auth, sse: { cors: { origins: ['https://b.example'] } } }).sse.cors,
    ).toEqual({ origins: ['https://b.example'], credentials: false });
  });

  it.each([
    ['rateLimits.message', { message: { points: 0 } }],
    ['rateLimits.message', { message: { durationMs: -1 } }],
    ['rateLimits.connection', { connection: { points: 1.5 } }],
    ['rateLimits.connection', { connection: { durationMs: 0 } }],
    ['rateLimits.handshakeAdmission', { handshakeAdmission: { points: -2 } }],
    ['rateLimits.handshakeAdmission', { handshakeAdmission: { durationMs: Number.NaN } }],
    ['rateLimits.forwarded', { forwarded: { points: 0 } }],
  ] as const)(
    'throws naming %s for a budget that is not two positive numbers',
    (name, rateLimits) => {
      expect(() => resolveSettings({ rateLimits })).toThrow(
        `${name}: points must be a positive integer and durationMs a positive number of milliseconds.`,
      );
    },
  );
});

// 0.2.0 removed the flat names: an app that still passes one (JavaScript, a config typed `any`)
// must not start without the guards, origins or Redis it meant to configure.
describe('removed option names', () => {
  it.each([
    [{ handshakeGuards: [] }, '"handshakeGuards" -> "auth.handshakeGuards"'],
    [{ redis: { url: 'redis://x' } }, '"redis" -> "stores.redis"'],
    [{ stores: { adapter: {} } }, '"stores.adapter" -> "stores.broker"'],
    [{ rateLimits: { store: {} } }, '"rateLimits.store" -> "stores.rateLimit"'],
  ])('refuses %j, naming where it lives now', (options, move) => {
    expect(() => resolveSettings(options as never)).toThrow(move);
  });
});

// The `stores` section is not in the settings: each store is a DI provider, the option's
// instance (or what its factory returns) when given, an in-memory one otherwise.
describe('the stores section', () => {
  async function resolveStores(options: ChannelsModuleOptions) {
    const moduleRef = await Test.createTestingModule({
      providers: [{ provide: CHANNELS_OPTIONS, useValue: options }, ...storeProviders],
    }).compile();
    return {
      settings: moduleRef.get(CHANNELS_SETTINGS),
      broker: moduleRef.get(Broker),
      history: moduleRef.get(HistoryStore),
      presence: moduleRef.get(PresenceStore),
      rateLimit: moduleRef.get(RateLimitStore),
    };
  }

  it('provides the stores the options give, as instances or factories', async () => {
    const broker = new InMemoryBroker();
    const historyStore = new InMemoryHistoryStore();
    const presenceStore = new InMemoryPresenceStore();
    const store = new MemoryRateLimitStore();
    const resolved = await resolveStores({
      stores: {
        broker: () => broker,
        history: historyStore,
        presence: () => presenceStore,
        rateLimit: store,
      },
    });
    expect(resolved.broker).toBe(broker);
    expect(resolved.history).toBe(historyStore);
    expect(resolved.presence).toBe(presenceStore);
    expect(resolved.rateLimit).toBe(store);
    expect(resolved.settings).not.toHaveProperty('stores');
  });

  it('hands a broker factory the HistoryStore provider', async () => {
    const history = new InMemoryHistoryStore();
    const resolved = await resolveStores({
      stores: { history, broker: (store) => new InMemoryBroker(store) },
    });
    await resolved.broker.publish('room:1', 'e', 1);
    expect((await history.read('room:1')).position.offset).toBe(1);
  });

  it('provides in-memory stores when none are given', async () => {
    const resolved = await resolveStores({});
    expect(resolved.broker).toBeInstanceOf(InMemoryBroker);
    expect(resolved.history).toBeInstanceOf(InMemoryHistoryStore);
    expect(resolved.presence).toBeInstanceOf(InMemoryPresenceStore);
    expect(resolved.rateLimit).toBeInstanceOf(MemoryRateLimitStore);
  });
});
