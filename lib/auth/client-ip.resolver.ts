import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { clientAddress, compileTrust, type TrustFunction } from '../settings/trust-proxy.js';
import { platformProxy, type PlatformAdapter, type PlatformProxy } from './platform-proxy.js';

/**
 * The client IP of a handshake, for the per-IP cap and handshake rate, as the app's platform
 * would say it: the `clientIp` option when given; else `X-Forwarded-For` read only through the
 * proxies that the `trustProxy` option trusts, or else the platform's own setting (Express's
 * `app.set('trust proxy', …)`, Fastify's `new FastifyAdapter({ trustProxy })`): what `req.ip`
 * would say. Nothing trusted: the socket's address, and a warning, once, naming the setting of
 * the platform in use, when requests carry `X-Forwarded-For` (the server is behind a proxy
 * nobody told it about).
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
    if (this.trust) {
      if (forwarded && socket !== undefined && !this.trust(socket, 0))
        this.warnUntrusted("make the module's auth.trustProxy option trust it");
      return clientAddress(socket, forwarded, this.trust);
    }
    const platform = this.platform();
    if (forwarded && !platform.trustsPeer(request)) {
      const own = platform.setting ? `set ${platform.setting} or ` : 'set ';
      this.warnUntrusted(`${own}the module's auth.trustProxy option`);
    }
    return platform.clientIp(request);
  }

  /**
   * Whether the socket's peer is a trusted proxy (the `trustProxy` option, else the platform's
   * own setting), whose `X-Forwarded-*` headers may then be read.
   */
  trustsProxy(request: IncomingMessage): boolean {
    const socket = request.socket.remoteAddress;
    if (this.trust) return socket !== undefined && this.trust(socket, 0);
    return this.platform().trustsPeer(request);
  }

  // Read per request: an app may set Express's `trust proxy` after the module started.
  private platform(): PlatformProxy {
    return platformProxy(this.adapterHost.httpAdapter as PlatformAdapter | undefined);
  }

  private warnUntrusted(fix: string): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn(
      'A handshake carries X-Forwarded-For, but no proxy is trusted: per-IP limits count the ' +
        `proxy's address. Behind a reverse proxy, ${fix} (see docs/security.md); ` +
        'X-Forwarded-For is ignored until then.',
    );
  }
}
