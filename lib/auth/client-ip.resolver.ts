import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { clientAddress, compileTrust, type TrustFunction } from '../settings/trust-proxy.js';

/**
 * The client IP of a handshake, for the per-IP cap and handshake rate, the Express way: the
 * `clientIp` option when given; else `X-Forwarded-For` read only through the proxies that the
 * `trustProxy` option, or the app's own `app.set('trust proxy', …)` (Express), trusts: what
 * `req.ip` would say. Nothing trusted: the socket's address, and a warning, once, when
 * requests carry `X-Forwarded-For` (the server is behind a proxy nobody told it about).
 */
@Injectable()
export class ClientIpResolver {
  private readonly logger = new Logger('Channels');
  private readonly trust?: TrustFunction;
  private warned = false;

  constructor(
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    if (settings.auth.trustProxy !== undefined) this.trust = compileTrust(settings.auth.trustProxy);
  }

  /** The client IP of `request`. */
  resolve(request: IncomingMessage): string | undefined {
    if (this.settings.auth.clientIp) return this.settings.auth.clientIp(request);
    const socket = request.socket.remoteAddress;
    const header = request.headers['x-forwarded-for'];
    const forwarded = Array.isArray(header) ? header.join(',') : header;
    const trust = this.trust ?? this.appTrust();
    if (forwarded && socket !== undefined && !trust?.(socket, 0)) this.warnUntrusted();
    return trust ? clientAddress(socket, forwarded, trust) : socket;
  }

  /**
   * Whether the socket's peer is a trusted proxy (the `trustProxy` option, else the app's
   * `trust proxy` setting), whose `X-Forwarded-*` headers may then be read.
   */
  trustsProxy(request: IncomingMessage): boolean {
    const socket = request.socket.remoteAddress;
    const trust = this.trust ?? this.appTrust();
    return socket !== undefined && trust !== undefined && trust(socket, 0);
  }

  // Express keeps the compiled `trust proxy` setting as 'trust proxy fn' (read per request:
  // an app may set it after the module started, before it listens).
  private appTrust(): TrustFunction | undefined {
    const adapter = this.adapterHost.httpAdapter;
    // Fastify's `get` registers a route: only Express's settings are read.
    if (adapter?.getType?.() !== 'express') return undefined;
    const instance = adapter.getInstance?.() as { get?: (key: string) => unknown } | undefined;
    const fn = typeof instance?.get === 'function' ? instance.get('trust proxy fn') : undefined;
    return typeof fn === 'function' ? (fn as TrustFunction) : undefined;
  }

  private warnUntrusted(): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn(
      'A handshake carries X-Forwarded-For, but no proxy is trusted: per-IP limits count the ' +
        "proxy's address. Behind a reverse proxy, set app.set('trust proxy', …) or the " +
        'trustProxy option (see docs/security.md); X-Forwarded-For is ignored until then.',
    );
  }
}
