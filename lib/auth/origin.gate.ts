import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { AppCorsReader } from './app-cors.reader.js';
import { ClientIpResolver } from './client-ip.resolver.js';
import { normalizeOrigin, ownOrigins } from './request-origin.js';

/**
 * Which browser pages may use the channel endpoints (WebSocket upgrade, SSE stream, command
 * POST): a request without `Origin` (a non-browser client, which sends no ambient cookie), a
 * page of the app's own origin (see {@link ownOrigins}), and the origins `auth.allowedOrigins`
 * lists (`'*'`: every origin), or, when it is not set, those of the app's `enableCors()`
 * ({@link AppCorsReader}). Every other origin is refused with HTTP 403 by the transports.
 *
 * @example if (!gate.allows(request)) return refuseHttp(socket, 403, 'FORBIDDEN', 'This origin is not allowed.');
 */
@Injectable()
export class OriginGate {
  constructor(
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
    private readonly clientIp: ClientIpResolver,
    private readonly appCors: AppCorsReader,
  ) {}

  /** Whether the page that sent `request` (its `Origin`) may use the endpoints. */
  allows(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    const listed = this.listed();
    if (listed?.includes('*') || listed?.includes(origin)) return true;
    const normalized = normalizeOrigin(origin);
    if (normalized === undefined) return false;
    if (listed?.some((entry) => normalizeOrigin(entry) === normalized)) return true;
    return ownOrigins(request, this.clientIp.trustsProxy(request)).includes(normalized);
  }

  /**
   * The CORS settings of the SSE endpoints: the `sse.cors` option (its origins defaulting to
   * `auth.allowedOrigins`), else the app's `enableCors()` origins and credentials.
   */
  corsSettings(): { origins: readonly string[] | undefined; credentials: boolean } {
    const { origins, credentials } = this.settings.sse.cors;
    if (origins !== undefined) return { origins, credentials };
    const app = this.appCors.cors;
    return { origins: app.origins, credentials: credentials || app.credentials };
  }

  private listed(): readonly string[] | undefined {
    return this.settings.auth.allowedOrigins ?? this.appCors.cors.origins;
  }
}
