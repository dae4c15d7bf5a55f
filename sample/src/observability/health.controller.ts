import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { Broker, RedisBroker } from '../../../lib/index.js';
import { ChannelsHealthIndicator } from '../../../lib/health/index.js';
import { checkRedis } from './redis.health-check.js';

/**
 * `GET /health`: 200 `{ "status": "ok", "info": { "channels": { "status": "up", ... } } }`,
 * with a `redis` entry too when the channels go through Redis (`REDIS_URL`); 503 once the app
 * begins to shut down, or while Redis does not answer.
 */
@Controller('health')
export class HealthController {
  private readonly checks: HealthIndicatorFunction[];

  constructor(
    private readonly health: HealthCheckService,
    channels: ChannelsHealthIndicator,
    indicators: HealthIndicatorService,
    broker: Broker,
  ) {
    this.checks = [() => channels.isHealthy('channels')];
    if (broker instanceof RedisBroker) this.checks.push(() => checkRedis(indicators, broker.redis));
  }

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check(this.checks);
  }
}
