import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { RedisConnection } from '../../../lib/index.js';

/** How long Redis may take to answer the health check's PING, in milliseconds. */
const PING_TIMEOUT_MS = 1_000;

/**
 * The `redis` entry of `GET /health`: up when the Redis the channels module uses (`REDIS_URL`)
 * answers a PING in time, down otherwise. Its command client queues nothing while Redis is
 * unreachable, so the PING fails at once then, instead of waiting for the timeout.
 * @example await checkRedis(indicators, adapter.redis) // { redis: { status: 'up' } }
 */
export async function checkRedis(
  indicators: HealthIndicatorService,
  redis: RedisConnection,
  key = 'redis',
): Promise<HealthIndicatorResult> {
  const session = indicators.check(key);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), PING_TIMEOUT_MS).unref();
  });
  try {
    const answer = await Promise.race([redis.client.ping(), late]);
    return answer === 'PONG' ? session.up() : session.down({ reason: 'no answer to PING' });
  } catch (error) {
    return session.down({ reason: error instanceof Error ? error.message : String(error) });
  } finally {
    clearTimeout(timer);
  }
}
