import {
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import type { ConnectionRegistry } from '../connection/connection.registry.js';
import type { TransportName } from '../connection/handshake.js';
import type { ChannelsSettings } from '../settings/channels.settings.js';
import { drainAndClose, type TerminableConnection } from './graceful-close.js';
import { InFlightTracker } from './in-flight.tracker.js';
import { sharedHttpServer } from './server-event.interceptor.js';

/**
 * What both transports share: they attach to the Nest app's HTTP server when it boots (unless
 * `transports: false`, or the app has no HTTP server: then they stay off, as Nest's gateways
 * do), refuse new clients and drain their connections on shutdown, and let go
 * of the server only once Nest has closed it (until then a late request gets 503, never 404).
 */
export abstract class ServerTransport
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  protected readonly inflight = new InFlightTracker(new Logger('Channels'));
  /** Set when shutdown begins: new clients are refused with 503. */
  protected closing = false;
  private detach?: () => void;

  protected constructor(
    private readonly adapterHost: HttpAdapterHost,
    protected readonly settings: ChannelsSettings,
    protected readonly connections: ConnectionRegistry,
    private readonly transport: TransportName,
  ) {}

  /** Takes this transport's requests from the server. @returns what undoes it */
  protected abstract attach(server: Server): () => void;

  onApplicationBootstrap(): void {
    if (!this.settings.transports) return;
    // No HTTP application (a testing module only init()ed): nothing to attach to
    // (ChannelsEndpoint says so once).
    const server = sharedHttpServer(this.adapterHost);
    if (server) this.detach = this.attach(server);
  }

  /**
   * Refuses new clients (503), lets in-flight commands finish, then closes every connection of
   * this transport with `shutdown.closeCode` within `shutdown.timeoutMs`, terminating the rest.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const open = () =>
      [...this.connections.all()].filter(
        (c): c is TerminableConnection => c.transport === this.transport,
      );
    const { timeoutMs, closeCode } = this.settings.shutdown;
    await drainAndClose(this.inflight, open, timeoutMs, closeCode);
  }

  onApplicationShutdown(): void {
    this.detach?.();
    this.detach = undefined;
  }
}
