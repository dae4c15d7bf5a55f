import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CommandControl } from '../brokers/broker.message.js';
import { ClientIpResolver } from '../auth/client-ip.resolver.js';
import { ConnectionAdmission } from '../auth/connection.admission.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import type { Connection } from '../connection/connection.js';
import { ConnectionRegistry } from '../connection/connection.registry.js';
import type { HandshakeClient } from '../connection/handshake.js';
import { CommandRouter, errorFrame } from '../router/command.router.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { scanFrame } from '../protocol/frame.scanner.js';
import { isUnavailable } from '../protocol/unavailable.js';
import { ErrorCode, type ErrorFrame, type ReplyFrame } from '../protocol/frames.js';
import { HttpBodyReader, type PendingBody } from './http-body.reader.js';
import { SseCommandForwarder } from './sse.command-forwarder.js';
import { sendErrorFrame, sendJson } from './http.responder.js';
import { SseConnection } from './sse.connection.js';
import { noStream, SseForwardedPost } from './sse.forwarded-post.js';
import { SseStreamLocator } from './sse.stream-locator.js';
import { TransientConnection } from './transient.connection.js';
import { SsePostStreams } from './sse.post-stream.js';

/** The header that binds a POST to an open SSE stream. */
export const CONNECTION_HEADER = 'x-channels-connection';

/**
 * Runs `POST {path}/messages` commands: the body admitted on arrival ({@link HttpBodyReader}:
 * a cap per address, a deadline), authentication on every request, the body read within its
 * bounds, then the same {@link CommandRouter} as the
 * WebSocket transport, on the bound SSE connection or a transient client. The answer is the
 * HTTP response: 200 with the reply, the error frame with its status, or 204 for a command
 * without `id` that succeeded. A POST bound to a stream that is not an open one of the caller's
 * on this node is looked up on the others and run there ({@link SseForwardedPost}).
 */
@Injectable()
export class SseCommandHandler {
  private readonly logger = new Logger('Channels');

  constructor(
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
    private readonly admission: ConnectionAdmission,
    private readonly connections: ConnectionRegistry,
    private readonly router: CommandRouter,
    private readonly forwarder: SseCommandForwarder,
    private readonly locator: SseStreamLocator,
    private readonly forwarded: SseForwardedPost,
    private readonly bodies: HttpBodyReader,
    private readonly ips: ClientIpResolver,
    private readonly postStreams: SsePostStreams,
  ) {}

  async handle(
    request: IncomingMessage,
    response: ServerResponse,
    headers: Record<string, string>,
  ): Promise<void> {
    let body: PendingBody;
    try {
      // JSON only: a cross-origin page cannot send it without a CORS preflight (no CSRF with cookies).
      if (!isJson(request.headers['content-type'])) {
        throw new ChannelsException(
          ErrorCode.BAD_REQUEST,
          'Send the command as a JSON body (Content-Type: application/json).',
        );
      }
      // On arrival, before the guards run: an address's unfinished bodies are capped, and the
      // body's deadline starts now.
      body = this.bodies.admit(request, this.ips.resolve(request));
    } catch (error) {
      return this.answer(request, response, errorFrame(error), headers);
    }
    try {
      await this.serve(request, response, headers, body);
    } finally {
      body.release();
    }
  }

  private async serve(
    request: IncomingMessage,
    response: ServerResponse,
    headers: Record<string, string>,
    pending: PendingBody,
  ): Promise<void> {
    let client: HandshakeClient;
    try {
      // A POST is not a connection: it is authenticated, but takes no connection place.
      client = await this.admission.authenticate(request, 'sse');
    } catch (error) {
      return this.answer(request, response, errorFrame(error), headers);
    }
    // A stream that is not an open one of the caller's on this node (absent, another
    // principal's, closing): looked up on the other nodes before the body is read.
    const bound = boundStream(request);
    const key = this.connections.keyOf(client.principal);
    if (bound !== undefined && this.forwarder.enabled && !this.locator.holds(bound, key)) {
      const answer = await this.forwarded.run(pending, client, bound);
      if (answer !== null) return this.answer(request, response, answer, headers);
      if (!response.headersSent && !response.destroyed) response.writeHead(204, headers).end();
      return;
    }
    let body: string;
    try {
      body = await pending.read();
    } catch (error) {
      return this.answer(request, response, errorFrame(error), headers);
    }
    // Nothing is built yet: the scan's id and event route the request, and the router charges
    // the rate limit with them before it parses the body.
    const scan = scanFrame(body, this.settings.limits.frameLimits);
    let connection: Connection;
    try {
      connection = this.connectionFor(request, client, scan.id);
    } catch (error) {
      return this.answer(request, response, errorFrame(error), headers);
    }
    // The answer leaves as soon as the router writes it, while the command still counts as in
    // flight on its stream: a close decided meanwhile (4429) ends the stream only after it.
    let answered = false;
    await this.router.receive(
      connection,
      body,
      (frame) => {
        if (answered) return;
        answered = true;
        this.answer(request, response, frame, headers);
      },
      scan,
    );
    if (connection instanceof TransientConnection) connection.dispose();
    if (!answered && !response.headersSent && !response.destroyed)
      response.writeHead(204, headers).end();
  }

  /**
   * Runs a command another node received for an SSE stream of this node (the module's broker
   * dispatcher hands it here), with this node's frame bounds, and sends the answer back.
   */
  async runForwarded(message: CommandControl): Promise<void> {
    if (!this.locator.holds(message.connectionId, message.principalKey)) return;
    const connection = this.connections.get(message.connectionId) as SseConnection;
    let answer: ReplyFrame | ErrorFrame | undefined;
    await this.router.receive(connection, message.body, (frame) => (answer ??= frame));
    await this.sendBack(message, answer ?? null);
  }

  private async sendBack(message: CommandControl, answer: ReplyFrame | ErrorFrame | null) {
    await this.forwarder.answer(message, answer).catch((error: unknown) => {
      // The broker went away meanwhile: the forwarding node answers its caller by itself.
      if (!isUnavailable(error))
        this.logger.error(`Could not answer a forwarded command: ${String(error)}`);
    });
  }

  // The client a POST runs with: its bound stream, or a transient client (the router refuses
  // the built-ins, which need a stream, on one of those).
  private connectionFor(
    request: IncomingMessage,
    client: HandshakeClient,
    id: number | undefined,
  ): Connection {
    const bound = boundStream(request);
    if (bound === undefined) {
      const key =
        this.connections.keyOf(client.principal) ?? `ip:${client.handshake.ip ?? 'unknown'}`;
      return new TransientConnection(client.handshake, client.principal, key);
    }
    const connection = this.connections.get(bound);
    if (
      !(connection instanceof SseConnection) ||
      !connection.accepting ||
      !this.samePrincipal(client.principal, connection.principal)
    ) {
      // The same answer for an unknown stream, another principal's, and one that is closing
      // (a 4429 decided): ids are not probed.
      throw noStream(id);
    }
    return connection;
  }

  // Principals match by principalKey; two anonymous clients (no principal at all) match, the
  // connection id being the secret that binds them.
  private samePrincipal(a: unknown, b: unknown): boolean {
    if (a === undefined || b === undefined) return a === b;
    const key = this.connections.keyOf(a);
    return key !== undefined && key === this.connections.keyOf(b);
  }

  private answer(
    request: IncomingMessage,
    response: ServerResponse,
    frame: ReplyFrame | ErrorFrame,
    headers: Record<string, string>,
  ): void {
    // An unread body (refused early, or too large) is discarded while the answer goes out, and
    // the socket is closed after it: the client reads the answer, not a reset.
    if (!request.complete) request.resume();
    const extra = request.complete ? headers : { ...headers, Connection: 'close' };
    // A streamed reply to a POST of no stream that accepts text/event-stream: its own stream.
    if (
      'stream' in frame &&
      frame.stream &&
      this.postStreams.wants(request) &&
      !boundStream(request)
    )
      return void this.postStreams
        .respond(request, response, headers, frame.stream)
        .catch(() => response.destroy());
    if ('error' in frame) sendErrorFrame(response, frame, extra);
    else sendJson(response, 200, frame, extra);
  }
}

function boundStream(request: IncomingMessage): string | undefined {
  const header = request.headers[CONNECTION_HEADER];
  const bound = Array.isArray(header) ? header[0] : header;
  return bound === undefined || bound === '' ? undefined : bound;
}

function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  return (
    type === 'application/json' ||
    (type?.startsWith('application/') === true && type.endsWith('+json'))
  );
}
