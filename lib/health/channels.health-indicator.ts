import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Broker } from '../brokers/broker.js';
import { ChannelsLifecycle } from '../channels.lifecycle.js';

/**
 * DI token of how long the broker's health answer may take (milliseconds).
 * @default 1000
 * @example { provide: CHANNELS_HEALTH_TIMEOUT, useValue: 500 }
 */
export const CHANNELS_HEALTH_TIMEOUT = Symbol('CHANNELS_HEALTH_TIMEOUT');

/**
 * The broker probe's default timeout, in milliseconds.
 * @example ChannelsHealthModule.forRoot({ brokerTimeoutMs: DEFAULT_HEALTH_TIMEOUT_MS * 2 })
 */
export const DEFAULT_HEALTH_TIMEOUT_MS = 1_000;

/**
 * A `@nestjs/terminus` health indicator for the channels module. It reports the node
 * **down** as soon as the application begins to shut down (before the transports close a
 * single connection, so a readiness probe takes the node out of rotation first), and while the
 * broker does not answer `Broker.healthy()` in time (Redis
 * unreachable). Otherwise **up**, with this node's connection and subscription counts.
 *
 * @example
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.channels.isHealthy('channels')]); }
 */
@Injectable()
export class ChannelsHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly lifecycle: ChannelsLifecycle,
    private readonly broker: Broker,
    @Optional()
    @Inject(CHANNELS_HEALTH_TIMEOUT)
    private readonly timeoutMs: number = DEFAULT_HEALTH_TIMEOUT_MS,
  ) {}

  /**
   * The module's health under `key`.
   * @param key the key in the health answer @default 'channels'
   */
  async isHealthy<const Key extends string = 'channels'>(
    key: Key = 'channels' as Key,
  ): Promise<HealthIndicatorResult<Key>> {
    const session = this.indicators.check(key);
    if (this.lifecycle.shuttingDown) return session.down({ reason: 'shutting down' });
    if (!(await this.brokerAnswers())) return session.down({ reason: 'broker unreachable' });
    const { connections, subscriptions } = this.lifecycle.nodeStats();
    return session.up({ connections: connections.websocket + connections.sse, subscriptions });
  }

  // A broker that hangs is as down as one that refuses: the probe must answer in time.
  private async brokerAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.timeoutMs).unref();
    });
    try {
      return await Promise.race([this.broker.healthy().catch(() => false), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
