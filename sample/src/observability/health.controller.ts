import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { ChannelsHealthIndicator } from '../../../lib/health/index.js';

/**
 * `GET /health`: 200 `{ "status": "ok", "info": { "channels": { "status": "up", ... } } }`;
 * 503 once the app begins to shut down, or while the broker (Redis) does not answer.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly channels: ChannelsHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.channels.isHealthy('channels')]);
  }
}
