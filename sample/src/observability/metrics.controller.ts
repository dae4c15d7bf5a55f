import { Controller, Get, Header } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';

// Node's default metrics once per process (an in-process test may start several apps).
if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();

/** `GET /metrics`: the Prometheus text exposition, `channels_*` and Node's default metrics. */
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return register.metrics();
  }
}
