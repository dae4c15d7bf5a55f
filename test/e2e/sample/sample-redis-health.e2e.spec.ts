import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { startSampleProcess, type SampleProcess } from '../../support/sample-process.js';

// SAMPLE.md: GET /health has a `redis` indicator when REDIS_URL is set, and answers 503 while
// Redis is unreachable. The built sample in its own process, on a real redis-server.
describe('the sample with REDIS_URL: GET /health', () => {
  let redis: RedisServer;
  let sample: SampleProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    sample = await startSampleProcess({
      PORT: '0',
      REDIS_URL: redis.url,
      SAMPLE_TOKEN_SECRET: 'health-test-secret',
    });
  }, 60_000);
  afterAll(async () => {
    await sample?.stop();
    await redis?.stop();
  });

  const health = async () => {
    const response = await fetch(new URL('health', sample.url));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('is 200 with channels and redis up, 503 while redis-server is stopped, 200 after', async () => {
    const up = await health();
    expect(up).toEqual({
      status: 200,
      body: expect.objectContaining({
        status: 'ok',
        info: {
          channels: expect.objectContaining({ status: 'up' }),
          redis: { status: 'up' },
        },
      }),
    });

    await redis.stop();
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'error',
      error: { channels: { status: 'down' }, redis: { status: 'down' } },
    });

    await redis.restart();
    const deadline = Date.now() + 15_000;
    while ((await health()).status !== 200) {
      if (Date.now() > deadline) throw new Error('health did not recover');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await health()).body).toMatchObject({ info: { redis: { status: 'up' } } });
  });
});
