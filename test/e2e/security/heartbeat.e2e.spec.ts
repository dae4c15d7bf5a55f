import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { MemoryRateLimitStore, type LimiterConfig } from '../../../lib/index.js';
import { sleep, waitFor } from '../../support/wait.js';
import { startChannels, type ChannelsApp } from './channels-app.js';

/** The default memory store, keeping a hand on its limiters so the test can read their state. */
class InspectableStore extends MemoryRateLimitStore {
  readonly limiters = new Map<string, RateLimiterAbstract>();

  override createLimiter(config: LimiterConfig): RateLimiterAbstract {
    const limiter = super.createLimiter(config);
    this.limiters.set(config.keyPrefix, limiter);
    return limiter;
  }
}

describe('security: heartbeats', () => {
  let channels: ChannelsApp;
  const store = new InspectableStore();

  beforeAll(async () => {
    channels = await startChannels({
      heartbeat: { intervalMs: 100, timeoutMs: 200 },
      stores: { rateLimit: store },
    });
  });
  afterEach(() => channels.closeClients());
  afterAll(() => channels.app.close());

  it('terminates a client that never answers pings with 4408, and frees its subscriptions and limiter state', async () => {
    const { client, welcome } = await channels.connect({ autoPong: false });
    const id = welcome.data.connectionId as string;
    expect(welcome.data.heartbeatMs).toBe(100);
    await client.request('subscribe', { channel: 'room:silent' });
    expect(channels.service.subscriptionCount('room:silent')).toBe(1);
    expect(await store.limiters.get('msg')!.get(id)).not.toBeNull();

    expect(await client.closed).toEqual({ code: 4408, reason: 'heartbeat timeout' });
    await waitFor(() => channels.service.getConnection(id) === undefined);
    expect(channels.service.subscriptionCount('room:silent')).toBe(0);
    expect(await store.limiters.get('msg')!.get(id)).toBeNull();
  });

  it('keeps a client that answers pings, over many intervals', async () => {
    const { client } = await channels.connect();
    let pings = 0;
    client.socket.on('ping', () => pings++);
    await sleep(1_000);
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(await client.request('echo', 'alive')).toEqual({ id: 1, data: 'alive' });
  });
});
