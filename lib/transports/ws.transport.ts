import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ConnectionAdmission, type HeldHandshake } from '../auth/connection.admission.js';
import { OverloadMonitor } from '../auth/overload.monitor.js';
import { MSGPACK_PROTOCOL_NAME, PROTOCOL_NAME } from '../protocol/built-in-events.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { ConnectionRegistry } from '../connection/connection.registry.js';
import { keepForConnection, type HandshakeClient } from '../connection/handshake.js';
import { ChannelHub } from '../hub/channel.hub.js';
import { CommandRouter, errorFrame } from '../router/command.router.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { toErrorBody } from '../protocol/error-body.mapper.js';
import { scanFrame } from '../protocol/frame.scanner.js';
import { CloseCode, ErrorCode } from '../protocol/frames.js';
import { closeReason } from '../protocol/close-reason.js';
import { REFUSAL_CLOSE_CODE_BY_ERROR } from '../protocol/codes.js';
import { ChannelsEndpoint } from './channels.endpoint.js';
import { HandshakePacer } from './handshake.pacer.js';
import { retryAfterSeconds } from './http.responder.js';
import { listenForErrors, refuseHttp, refuseShuttingDown } from './upgrade.refusal.js';
import { requestPath } from './in-flight.tracker.js';
import { interceptServerEvent } from './server-event.interceptor.js';
import { ServerTransport } from './server.transport.js';
import { ChannelsWebSocket, WsConnection } from './ws.connection.js';
import { WireFrameReader } from './ws.frame-reader.js';
import { negotiatedDeflate, perMessageDeflateOptions } from './ws.deflate-options.js';

/**
 * The WebSocket transport: a `ws` server without a port of its own, sharing the Nest app's
 * HTTP server. Upgrades on the module's path are taken before any other `upgrade` listener
 * sees them, so Nest's own `WsAdapter` gateways live beside it on other paths.
 */
@Injectable()
export class WsTransport extends ServerTransport {
  private wss?: WebSocketServer;
  // A reconnect storm's handshakes, a budget of them a turn (see HandshakePacer), in order.
  private readonly pacer: HandshakePacer<Upgrade>;

  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(CHANNELS_SETTINGS) settings: ChannelsSettings,
    connections: ConnectionRegistry,
    private readonly admission: ConnectionAdmission,
    private readonly router: CommandRouter,
    private readonly hub: ChannelHub,
    private readonly endpoint: ChannelsEndpoint,
    monitor: OverloadMonitor,
  ) {
    super(adapterHost, settings, connections, 'websocket');
    this.pacer = new HandshakePacer(
      (upgrade) => this.takeUp(upgrade),
      // Handshakes taken up later are the node's own work, not a delay that sheds.
      (ms) => monitor.handshakeWork(ms),
    );
  }

  protected attach(httpServer: Server): () => void {
    const path = this.endpoint.paths.websocket;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // A socket that knows its connection: shared listeners, no closures per socket.
      WebSocket: ChannelsWebSocket,
      maxPayload: this.settings.limits.maxPayloadBytes,
      perMessageDeflate: perMessageDeflateOptions(this.settings.compression),
      // JSON when offered (the default), else MessagePack when offered: one encoding a socket.
      handleProtocols: (offered) =>
        offered.has(PROTOCOL_NAME)
          ? PROTOCOL_NAME
          : offered.has(MSGPACK_PROTOCOL_NAME)
            ? MSGPACK_PROTOCOL_NAME
            : false,
    });
    const detach = interceptServerEvent(
      httpServer,
      'upgrade',
      (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (requestPath(request.url) !== path) return false;
        this.arrive(request, socket, head);
        return true;
      },
    );
    // Node emits 'upgrade' only when someone listens; this listener also answers upgrades on
    // other paths when no one else (such as Nest's WsAdapter) is there to take them.
    const orphan = (_request: IncomingMessage, socket: Duplex): void => {
      if (httpServer.listenerCount('upgrade') === 1)
        refuseHttp(socket, 404, ErrorCode.UNKNOWN_EVENT, 'No WebSocket endpoint here.');
    };
    httpServer.on('upgrade', orphan);
    return () => {
      detach();
      httpServer.off('upgrade', orphan);
    };
  }

  override async beforeApplicationShutdown(): Promise<void> {
    await super.beforeApplicationShutdown();
    this.wss?.close();
  }

  // What costs nothing is decided on arrival: shutting down, the origin, shedding. The rest is
  // paced; a handshake counts in flight once taken up, and its deadline runs from arrival.
  // Node's HTTP server stops listening for the socket's errors before the upgrade: whoever
  // waits with it, or answers on it, listens (`listenForErrors`); `ws` does once it has it.
  private arrive(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closing) return refuseShuttingDown(socket);
    // A foreign origin never gets a socket (cross-site WebSocket hijacking): plain HTTP 403.
    if (!this.admission.originAllowed(request, 'websocket')) {
      return refuseHttp(socket, 403, ErrorCode.FORBIDDEN, 'This origin is not allowed.');
    }
    let held: HeldHandshake;
    try {
      held = this.admission.hold('websocket');
    } catch (error) {
      return this.refuse(request, socket, head, error);
    }
    if (!this.pacer.offer({ request, socket, head, held })) listenForErrors(socket);
  }

  private takeUp(upgrade: Upgrade): void {
    const { request, socket, head, held } = upgrade;
    // Closed while it waited: dropped (it holds no place in the caps yet).
    if (socket.destroyed) return;
    if (this.admission.immediate) return this.upgradeNow(request, socket, head, held);
    listenForErrors(socket);
    // Nothing may escape as an unhandled rejection: a failure is logged and the socket dropped.
    this.inflight.track(this.upgrade(request, socket, head, held), () => socket.destroy());
  }

  // No guard and no handshake rate: nothing to wait for, so the upgrade completes within this
  // call, with no promise, no deadline and nothing to track for the drain.
  private upgradeNow(request: IncomingMessage, socket: Duplex, head: Buffer, held: HeldHandshake) {
    if (this.closing) return refuseShuttingDown(socket);
    let client: HandshakeClient;
    try {
      client = this.admission.admitNow(request, 'websocket', held);
    } catch (error) {
      return this.refuse(request, socket, head, error);
    }
    try {
      this.open(request, socket, head, client);
    } catch (error) {
      // As for a tracked upgrade that failed: logged, and the socket dropped.
      this.inflight.fail(error, () => socket.destroy());
    } finally {
      this.admission.settle(client);
    }
  }

  private async upgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    held: HeldHandshake,
  ): Promise<void> {
    if (this.closing) return refuseShuttingDown(socket);
    let client: HandshakeClient;
    try {
      client = await this.admission.admit(request, 'websocket', held);
    } catch (error) {
      return this.refuse(request, socket, head, error);
    }
    if (socket.destroyed) return;
    if (this.closing) return refuseShuttingDown(socket);
    this.open(request, socket, head, client);
  }

  private open(request: IncomingMessage, socket: Duplex, head: Buffer, client: HandshakeClient) {
    // The 101 response and the welcome frame leave in one write (one syscall, not two): `ws`
    // writes the response and calls back synchronously, and `accept` writes the welcome at once.
    socket.cork();
    try {
      this.wss!.handleUpgrade(request, socket, head, (ws) => this.accept(ws, client));
    } finally {
      socket.uncork();
    }
  }

  // A refused handshake completes the upgrade only to carry the close code (4401 or 4403),
  // which a browser can read where an HTTP status would be hidden from it. A shed one (the node
  // is busy) never gets the upgrade: HTTP 503 with `Retry-After` costs it nothing more.
  private refuse(request: IncomingMessage, socket: Duplex, head: Buffer, error: unknown): void {
    const body = toErrorBody(error);
    if (socket.destroyed) return;
    if (body.status === 503) {
      const retry = retryAfterSeconds(body.retryAfterMs ?? 1_000);
      return refuseHttp(socket, 503, body.code, body.message, `Retry-After: ${retry}\r\n`, body);
    }
    const code = REFUSAL_CLOSE_CODE_BY_ERROR[body.code] ?? CloseCode.INTERNAL_ERROR;
    this.wss!.handleUpgrade(request, socket, head, (ws) => {
      ws.on('error', () => undefined);
      const kill = setTimeout(() => ws.terminate(), 1_000).unref();
      // Cleared once the client answers the close, so nothing outlives the socket by a second.
      ws.once('close', () => clearTimeout(kill));
      ws.close(code, closeReason(body.message));
    });
  }

  private accept(ws: WebSocket, client: HandshakeClient): void {
    // The request is gone after this: the connection keeps what guards read later, compactly.
    keepForConnection(client.handshake);
    const connection = new WsConnection(
      // The server's `WebSocket` option: every socket it makes is one.
      ws as ChannelsWebSocket,
      client.handshake,
      client.principal,
      this.settings.limits.maxBufferedBytes,
      ws.protocol === MSGPACK_PROTOCOL_NAME ? 'msgpack' : 'json',
      negotiatedDeflate(ws, this.settings.compression),
    );
    this.hub.register(connection);
    connection.sendWelcome(this.settings.heartbeat.intervalMs);
    // Now, while the socket is corked with the 101 response (see `open`): what `sendWelcome`
    // gathered (a MessagePack or compressed welcome).
    connection.flush();
    ws.on('message', this.messageListener);
  }

  // One listener for every socket (the socket knows its connection), not a closure per socket.
  private readonly messageListener = ((transport: WsTransport) =>
    function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
      const connection = (this as ChannelsWebSocket).connection;
      if (connection) transport.onMessage(connection, data, isBinary);
    })(this);

  private onMessage(connection: WsConnection, data: RawData, isBinary: boolean): void {
    const write = (frame: object): void => connection.send(frame);
    // The reader is made on the first message: an idle connection never needs one.
    const reader = (connection.reader ??= new WireFrameReader(
      connection,
      this.settings.shutdown.timeoutMs,
    ));
    const read = reader.read(data, isBinary);
    if (read.error) {
      this.inflight.track(this.router.rejectFrame(connection, read.error, write));
      return;
    }
    const text = read.text;
    if (this.closing) {
      // The drain began: answered at once, with the id the bounds scan reads (nothing parsed).
      if (!connection.accepting) return;
      const { id } = scanFrame(text, this.settings.limits.frameLimits);
      const refusal = new ChannelsException(ErrorCode.INTERNAL, 'The server is shutting down.');
      write(errorFrame(refusal, id));
      return;
    }
    this.inflight.track(this.router.receive(connection, text, write));
  }
}

/** An upgrade request, admitted past the shedder, waiting for its turn. */
interface Upgrade {
  request: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  held: HeldHandshake;
}
