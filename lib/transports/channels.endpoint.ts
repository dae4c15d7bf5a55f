import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { sharedHttpServer } from './server-event.interceptor.js';

/**
 * The HTTP paths of the module's endpoints, the app's global prefix included where
 * `useGlobalPrefix` asks for it.
 * @example { websocket: '/api/channels', sse: '/api/channels/sse', messages: '/api/channels/messages' }
 */
export interface ChannelsEndpointPaths {
  /** The WebSocket upgrade path. */
  readonly websocket: string;
  /** `GET` here opens an SSE stream. */
  readonly sse: string;
  /** `POST` here sends a command over SSE. */
  readonly messages: string;
}

/**
 * Where the endpoints are: the one place that joins `path` and the app's global prefix, read by
 * both transports, the AsyncAPI document and the testing helpers, so they always agree. At
 * bootstrap it says where they are in one log line (or, without an HTTP server, that they are
 * not attached, once at debug level).
 *
 * @example
 * const { websocket, sse } = app.get(ChannelsEndpoint).paths;
 */
@Injectable()
export class ChannelsEndpoint implements OnApplicationBootstrap {
  private readonly logger = new Logger('Channels');

  constructor(
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
    private readonly adapterHost: HttpAdapterHost,
    @Optional() private readonly appConfig?: ApplicationConfig,
  ) {}

  /** The paths now; the global prefix is read as the app has it (set it before `init()`). */
  get paths(): ChannelsEndpointPaths {
    const prefix = this.settings.useGlobalPrefix ? this.globalPrefix() : '';
    const path = this.settings.path === '/' ? '' : this.settings.path;
    const websocket = `${prefix}${path}` || '/';
    const base = `${prefix}${path}`;
    return { websocket, sse: `${base}/sse`, messages: `${base}/messages` };
  }

  onApplicationBootstrap(): void {
    if (!this.settings.transports) return;
    if (!sharedHttpServer(this.adapterHost)) {
      this.logger.debug(
        'No HTTP server (the module was init()ed without an HTTP application): the WebSocket and ' +
          'SSE endpoints are not attached. Publishing, ChannelsTestHarness and the service work.',
      );
      return;
    }
    const { websocket, sse, messages } = this.paths;
    const prefix = this.globalPrefix();
    const hint =
      prefix && !this.settings.useGlobalPrefix
        ? ` (not under the global prefix ${prefix}: useGlobalPrefix: true puts them there)`
        : '';
    this.logger.log(`WebSocket at ${websocket}, SSE at GET ${sse} and POST ${messages}${hint}`);
  }

  // '/api' for 'api', '/api/', '/api'; '' for none.
  private globalPrefix(): string {
    const trimmed = (this.appConfig?.getGlobalPrefix() ?? '').replace(/^\/+|\/+$/g, '');
    return trimmed ? `/${trimmed}` : '';
  }
}
