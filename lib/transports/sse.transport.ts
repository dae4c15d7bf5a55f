import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ConnectionAdmission } from '../auth/connection.admission.js';
import { OriginGate } from '../auth/origin.gate.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { ConnectionRegistry } from '../connection/connection.registry.js';
import { ErrorCode } from '../protocol/frames.js';
import { ChannelsEndpoint } from './channels.endpoint.js';
import { CorsPolicy } from './cors.policy.js';
import { sendJson } from './http.responder.js';
import { SseCommandHandler } from './sse.command-handler.js';
import { requestPath } from './in-flight.tracker.js';
import { interceptServerEvent } from './server-event.interceptor.js';
import { ServerTransport } from './server.transport.js';
import { SseStreamHandler } from './sse.stream-handler.js';

type Route = 'stream' | 'messages';

/**
 * The SSE + HTTP transport: `GET {path}/sse` streams and `POST {path}/messages` commands on
 * the Nest app's own HTTP server. Requests on these two paths are taken out of the server's
 * `request` event before Express or Fastify sees them (no body parser, no global middleware,
 * the same on every platform), as the WebSocket transport takes its upgrades.
 */
@Injectable()
export class SseTransport extends ServerTransport {
  private cors: CorsPolicy;
  private routes = new Map<string, Route>();

  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(CHANNELS_SETTINGS) settings: ChannelsSettings,
    connections: ConnectionRegistry,
    private readonly streams: SseStreamHandler,
    private readonly commands: SseCommandHandler,
    private readonly admission: ConnectionAdmission,
    private readonly origins: OriginGate,
    private readonly endpoint: ChannelsEndpoint,
  ) {
    super(adapterHost, settings, connections, 'sse');
    this.cors = new CorsPolicy(settings.sse.cors);
  }

  protected attach(httpServer: Server): () => void {
    // The app's enableCors() has run by now (Nest applies it before the bootstrap hooks).
    this.cors = new CorsPolicy(this.origins.corsSettings());
    const { sse, messages } = this.endpoint.paths;
    this.routes = new Map([
      [sse, 'stream'],
      [messages, 'messages'],
    ]);
    return interceptServerEvent(
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

  private serve(route: Route, request: IncomingMessage, response: ServerResponse): void {
    request.on('error', () => undefined);
    response.on('error', () => undefined);
    const origin = request.headers.origin;
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS') return this.cors.preflight(request, response);
    const headers = this.cors.headersFor(origin);
    // A foreign page gets nothing, before its body is read or its credentials looked at. Only
    // a stream is a handshake (a refused POST is not counted as one).
    if (!this.admission.originAllowed(request, route === 'stream' ? 'sse' : undefined)) {
      const body = { error: { code: ErrorCode.FORBIDDEN, message: 'This origin is not allowed.' } };
      return sendJson(response, 403, body, headers);
    }
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
        ? this.streams.open(request, response, headers).then(() => undefined)
        : this.commands.handle(request, response, headers);
    this.inflight.track(work, () => {
      if (!response.headersSent) response.destroy();
    });
  }
}
