import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { RESOLVED_OPTIONS, type ResolvedChannelsOptions } from '../channels.options.js';
import { ConnectionRegistry } from './connection.registry.js';

/**
 * One sweep timer for every connection: a connection that is due gets its heartbeat (a
 * WebSocket ping, an SSE comment line); one that has not answered within the timeout is cut
 * off (4408), and its subscriptions and timers are freed as it closes.
 */
@Injectable()
export class HeartbeatMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly connections: ConnectionRegistry,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedChannelsOptions,
  ) {}

  onApplicationBootstrap(): void {
    const { heartbeatMs, heartbeatTimeoutMs, sseHeartbeatMs } = this.options;
    // SSE streams keep their own interval (sseHeartbeatMs): the sweep must be fine enough for both.
    const tick = Math.max(5, Math.min(heartbeatMs, heartbeatTimeoutMs, sseHeartbeatMs) / 2);
    this.timer = setInterval(() => this.sweep(), tick).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private sweep(): void {
    const now = Date.now();
    const { heartbeatMs, heartbeatTimeoutMs } = this.options;
    for (const connection of this.connections.all())
      connection.heartbeat(now, heartbeatMs, heartbeatTimeoutMs);
  }
}
