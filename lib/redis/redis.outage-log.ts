import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';

/**
 * Logs a Redis outage in two lines, however many connections, commands and reconnect attempts
 * it spans: one WARN when the first watched connection is lost, one WARN when every watched
 * connection is ready again (with how long it lasted). Both are WARN so that a log filtered to
 * warnings and errors shows where an outage began and where it ended. A node's `RedisConnection`
 * watches its command and subscriber connections, and the Redis presence store made by
 * `stores.redis` its two, in the same log.
 *
 * @example
 * const outages = new RedisOutageLog();
 * const unwatch = outages.watch('presence commands', client);
 * // before closing the client on purpose:
 * unwatch();
 */
export class RedisOutageLog {
  private readonly down = new Set<string>();
  private since?: number;

  constructor(private readonly logger: Pick<Logger, 'warn'> = new Logger('Channels')) {}

  /**
   * Follows one connection: its errors and closes begin an outage, its `ready` ends it once
   * every lost connection is back.
   * @param name how the first line names the connection that was lost
   * @returns a function that stops following it: call it before closing the client on purpose
   */
  watch(name: string, client: Redis | Cluster): () => void {
    const onError = (error: Error): void => this.lost(name, error.message);
    const onClose = (): void => this.lost(name, 'connection closed');
    const onReady = (): void => this.back(name);
    client.on('error', onError);
    client.on('close', onClose);
    client.on('ready', onReady);
    return () => {
      client.off('error', onError);
      client.off('close', onClose);
      client.off('ready', onReady);
      // Closed on purpose: it is no longer awaited, and its close is not news.
      this.down.delete(name);
      if (this.down.size === 0) this.since = undefined;
    };
  }

  private lost(name: string, reason: string): void {
    this.down.add(name);
    if (this.since !== undefined) return;
    this.since = Date.now();
    this.logger.warn(
      `Redis unreachable (${name}: ${reason}): reconnecting; until it is back, commands that need it answer UNAVAILABLE.`,
    );
  }

  private back(name: string): void {
    if (!this.down.delete(name) || this.down.size > 0 || this.since === undefined) return;
    const ms = Date.now() - this.since;
    this.since = undefined;
    this.logger.warn(`Redis reachable again after ${ms} ms.`);
  }
}
