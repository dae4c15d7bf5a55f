import { Redis } from 'ioredis';
import {
  RedisRateLimitStore,
  type ChannelsModuleOptions,
  type Connection,
} from '../../../lib/index.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { waitFor } from '../../support/wait.js';
import { startChannels, type ChannelsApp } from './channels-app.js';
import { AuthGateway, OpenGateway, TokenGuard, type TestPrincipal } from './gateways.js';

const byUser = (connection: Connection) => `user:${(connection.principal as TestPrincipal).id}`;

describe('security: rate limits in Redis (RateLimiterRedis, two nodes)', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];
  const apps: ChannelsApp[] = [];

  function redisClient(): Redis {
    // Fail fast while Redis is away: the store then answers from its insurance limiter.
    const client = new Redis(redis.port, '127.0.0.1', {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 100,
      disconnectTimeout: 100,
    });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  }

  /** Two nodes sharing one Redis, as two apps with their own Redis clients. */
  async function twoNodes(
    options: (store: RedisRateLimitStore) => ChannelsModuleOptions,
    insurance = true,
  ) {
    const prefix = `t${apps.length}`;
    const nodes = await Promise.all(
      [0, 1].map(() =>
        startChannels(
          options(new RedisRateLimitStore({ client: redisClient(), keyPrefix: prefix, insurance })),
          [AuthGateway, OpenGateway, TokenGuard],
        ),
      ),
    );
    apps.push(...nodes);
    // Until a client is ready the store counts in its insurance limiter, per node.
    await waitFor(
      () => clients.every((client) => client.status === 'ready'),
      5_000,
      'Redis clients to be ready',
    );
    return nodes as [ChannelsApp, ChannelsApp];
  }

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(() => apps.forEach((app) => app.closeClients()));
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.app.close()));
    clients.forEach((client) => client.disconnect());
    await redis?.stop();
  });

  it('shares a principal-keyed message budget between nodes', async () => {
    const [a, b] = await twoNodes((store) => ({
      stores: { rateLimit: store },
      rateLimits: { message: { points: 4, durationMs: 60_000, key: byUser } },
    }));
    const alice = { headers: { authorization: 'Bearer user-alice' } };
    const onA = (await a.connect(alice)).client;
    const onB = (await b.connect(alice)).client;
    expect((await onA.request('echo', 1)).data).toBe(1);
    expect((await onB.request('echo', 2)).data).toBe(2);
    expect((await onA.request('echo', 3)).data).toBe(3);
    expect((await onB.request('echo', 4)).data).toBe(4);
    const limited = await onA.request('echo', 5);
    expect(limited).toMatchObject({ id: 3, error: { code: 'RATE_LIMITED' } });
    expect(limited.error.retryAfterMs).toBeGreaterThan(1_000);
    expect((await onB.request('echo', 6)).error.code).toBe('RATE_LIMITED');
    // Another principal has a budget of its own.
    const bob = (await b.connect({ headers: { authorization: 'Bearer user-bob' } })).client;
    expect((await bob.request('echo', 'b')).data).toBe('b');
  });

  it('counts the handshake rate per IP across nodes', async () => {
    const [a, b] = await twoNodes((store) => ({
      stores: { rateLimit: store },
      rateLimits: { connection: { points: 3, durationMs: 60_000 } },
    }));
    const token = { headers: { authorization: 'Bearer user-carol' } };
    await a.connect(token);
    await b.connect(token);
    await a.connect(token);
    const refused = await b.open(token);
    expect((await refused.closed).code).toBe(4429);
  });

  it('keeps limiting in memory (insurance) while Redis is down, and never lets a store failure crash a handshake', async () => {
    const [a] = await twoNodes((store) => ({
      stores: { rateLimit: store },
      rateLimits: { message: { points: 3, durationMs: 60_000 } },
    }));
    const [open] = await twoNodes(
      (store) => ({
        stores: { rateLimit: store },
        rateLimits: { message: { points: 3, durationMs: 60_000 } },
      }),
      false,
    );
    const insured = (await a.connect({ headers: { authorization: 'Bearer user-dave' } })).client;
    const uninsured = (await open.connect({ headers: { authorization: 'Bearer user-erin' } }))
      .client;
    await redis.stop();
    await waitFor(
      () => clients.every((client) => client.status !== 'ready'),
      5_000,
      'Redis clients to notice',
    );

    for (let n = 1; n <= 3; n++) expect((await insured.request('echo', n)).data).toBe(n);
    expect((await insured.request('echo', 4)).error.code).toBe('RATE_LIMITED');
    // Without insurance a failing store lets commands through rather than locking everyone out.
    for (let n = 1; n <= 5; n++) expect((await uninsured.request('echo', n)).data).toBe(n);
    // New handshakes still work on both (the handshake limit falls back the same way).
    expect(
      (await a.connect({ headers: { authorization: 'Bearer user-fred' } })).welcome.event,
    ).toBe('connected');
    expect(
      (await open.connect({ headers: { authorization: 'Bearer user-fred' } })).welcome.event,
    ).toBe('connected');
  });
});
