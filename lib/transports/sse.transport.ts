import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { ConnectionRegistry } from '../connection/connection.registry.js';
import { ErrorCode } from '../protocol/frames.js';
import { CorsPolicy } from './cors.policy.js';
import { sendJson } from './http.responder.js';
import { SseCommandHandler } from './sse.command-handler.js';
import { SseConnection } from './sse.connection.js';
import { drainAndClose } from './graceful-close.js';
import { InFlightTracker, requestPath } from './in-flight.tracker.js';
import { interceptServerEvent, sharedHttpServer } from './server-event.interceptor.js';
import { SseStreamHandler } from './sse.stream-handler.js';

type Route = 'stream' | 'messages';

/**
 * The SSE + HTTP transport: `GET {path}/sse` streams and `POST {path}/messages` commands on
 * the Nest app's own HTTP server. Requests on these two paths are taken out of the server's
 * `request` event before Express or Fastify sees them (no body parser, no global middleware,
 * the same on every platform), as the WebSocket transport takes its upgrades.
 */
@Injectable()
export class SseTransport
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly inflight = new InFlightTracker(new Logger('Channels'));
  private readonly cors: CorsPolicy;
  private routes = new Map<string, Route>();
  private detach?: () => void;
  private closing = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
    private readonly connections: ConnectionRegistry,
    private readonly streams: SseStreamHandler,
    private readonly commands: SseCommandHandler,
  ) {
    this.cors = new CorsPolicy(settings.sse.cors);
  }

  onApplicationBootstrap(): void {
    if (!this.settings.transports) return;
    const httpServer = sharedHttpServer(this.adapterHost);
    const base = this.settings.path === '/' ? '' : this.settings.path;
    this.routes = new Map([
      [`${base}/sse`, 'stream'],
      [`${base}/messages`, 'messages'],
    ]);
    this.detach = interceptServerEvent(
      httpServer,
      'request',
      (request: IncomingMessage, response: ServerResponse) => {
        const route = this.routes.get(requestPath(request.url));
        if (route === undefined) return false;
        this.serve(route, request, response);
        return true;
      },
    );
  }

  /**
   * Refuses new streams and commands (503), lets in-flight commands finish, then ends every
   * stream with `event: close` (`shutdown.closeCode`, 1001 by default) within `shutdownTimeoutMs`, so the HTTP server can close.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const open = () =>
      [...this.connections.all()].filter((c): c is SseConnection => c instanceof SseConnection);
    const { timeoutMs: shutdownTimeoutMs, closeCode: shutdownCloseCode } = this.settings.shutdown;
    await drainAndClose(this.inflight, open, shutdownTimeoutMs, shutdownCloseCode);
  }

  /**
   * Lets go of the HTTP server's `request` event only once Nest has closed the server: until it
   * stops listening, both routes answer 503 + `Retry-After`, never the platform's 404.
   */
  onApplicationShutdown(): void {
    this.detach?.();
    this.detach = undefined;
  }

  private serve(route: Route, request: IncomingMessage, response: ServerResponse): void {
    request.on('error', () => undefined);
    response.on('error', () => undefined);
    const origin = request.headers.origin;
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS') return this.cors.preflight(request, response);
    const headers = this.cors.headersFor(origin);
    const allowed = route === 'stream' ? 'GET' : 'POST';
    if (method !== allowed) {
      return sendJson(
        response,
        405,
        { error: { code: ErrorCode.BAD_REQUEST, message: `Use ${allowed} here.` } },
        {
          ...headers,
          Allow: `${allowed}, OPTIONS`,
        },
      );
    }
    if (this.closing) {
      const body = { error: { code: ErrorCode.INTERNAL, message: 'The server is shutting down.' } };
      return sendJson(response, 503, body, { ...headers, 'Retry-After': '1', Connection: 'close' });
    }
    const work =
      route === 'stream'
        ? this.streams.open(request, response, headers)
        : this.commands.handle(request, response, headers);
    this.inflight.track(work, () => {
      if (!response.headersSent) response.destroy();
    });
  }
}
