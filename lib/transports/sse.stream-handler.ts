import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConnectionAdmission } from '../auth/connection.admission.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import type { HandshakeClient } from '../connection/handshake.js';
import { assertChannelName } from '../protocol/channel-name.js';
import { ChannelsEvents } from '../connection/channels.events.js';
import { ChannelHub } from '../hub/channel.hub.js';
import { CommandRouter } from '../router/command.router.js';
import { ChannelsException } from '../protocol/channels.exception.js';
import { ErrorCode, type StreamPosition, type SubscribeReply } from '../protocol/frames.js';
import { welcomeData } from '../protocol/welcome.frame.js';
import { REFUSAL_ERROR_BY_CLOSE_CODE } from '../protocol/codes.js';
import { sendError, sendJson } from './http.responder.js';
import { decodeCursor } from './sse-cursor.js';
import { SseConnection } from './sse.connection.js';

/** What a stream request asks for: its channels, and where to resume each one from. */
export interface StreamRequest {
  channels: string[];
  resumeFrom: Map<string, StreamPosition>;
}

/**
 * Opens `GET {path}/sse` streams: admission (origin, authentication), then every channel of
 * the request and of its cursor through join authorization, all before the 200; then the
 * opening, the replay of what the client missed (or `event: reset`), and live pushes.
 */
@Injectable()
export class SseStreamHandler {
  // Once the app begins shutting down, streams still being set up are abandoned.
  private closing = false;

  constructor(
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
    private readonly admission: ConnectionAdmission,
    private readonly router: CommandRouter,
    private readonly hub: ChannelHub,
    events: ChannelsEvents,
  ) {
    events.on('shutdown.started', () => (this.closing = true));
  }

  /**
   * Opens a stream for a `GET` (its channels and cursor read from the request), or, with
   * `asked`, for a POST that streams its reply as its own response (`sse.post-stream.ts`).
   * @returns the stream once it began, with what each channel replayed
   */
  async open(
    request: IncomingMessage,
    response: ServerResponse,
    headers: Record<string, string>,
    asked?: StreamRequest,
  ): Promise<{ connection: SseConnection; replies: SubscribeReply[] } | undefined> {
    let client: HandshakeClient;
    let wanted: StreamRequest;
    try {
      // Read first: a malformed request must not take (and hold) a connection place.
      wanted = asked ?? readStreamRequest(request);
      client = await this.admission.admit(request, 'sse');
    } catch (error) {
      sendError(response, error, headers);
      return;
    }
    // A client that left while its guards ran is gone before its stream could notice.
    if (request.socket.destroyed || response.destroyed) return;
    const settings = {
      heartbeatMs: this.settings.sse.heartbeatMs,
      maxBufferedBytes: this.settings.limits.maxBufferedBytes,
    };
    const connection = new SseConnection(
      request,
      response,
      client.handshake,
      client.principal,
      settings,
    );
    try {
      this.hub.register(connection);
    } catch (error) {
      connection.terminate();
      sendError(response, error, headers);
      return;
    }
    let replies: SubscribeReply[];
    try {
      replies = await this.subscribeAll(connection, wanted);
    } catch (error) {
      connection.terminate();
      sendError(response, error, headers);
      return;
    }
    if (connection.closed || this.closing) {
      this.abandon(connection, wanted, response, headers);
      return;
    }
    this.begin(connection, wanted, replies, headers);
    return { connection, replies };
  }

  // One channel at a time, each held (pushes wait) until the stream has replayed it.
  private async subscribeAll(
    connection: SseConnection,
    wanted: StreamRequest,
  ): Promise<SubscribeReply[]> {
    const replies: SubscribeReply[] = [];
    for (const channel of wanted.channels) {
      const since = wanted.resumeFrom.get(channel);
      await this.router.authorizeJoin(
        connection,
        channel,
        since ? { channel, since } : { channel },
      );
      if (connection.closed) break;
      replies.push(await this.hub.subscribe(connection, channel, since));
    }
    return replies;
  }

  private begin(
    connection: SseConnection,
    wanted: StreamRequest,
    replies: SubscribeReply[],
    headers: Record<string, string>,
  ): void {
    const reset: string[] = [];
    for (const reply of replies) {
      const since = wanted.resumeFrom.get(reply.channel);
      const resumed = since !== undefined && reply.recovered;
      if (since !== undefined && !reply.recovered) reset.push(reply.channel);
      // A resumed channel starts where the client was; the replay moves it on push by push.
      connection.track(reply.channel, resumed ? since : reply);
    }
    const { heartbeatMs: sseHeartbeatMs, retryMs: sseRetryMs } = this.settings.sse;
    connection.start(headers, sseRetryMs, welcomeData(connection.id, sseHeartbeatMs));
    if (reset.length > 0) connection.writeReset(reset);
    for (const reply of replies) {
      for (const push of reply.missed) connection.replay(push);
    }
    for (const reply of replies) this.hub.goLive(connection, reply);
  }

  // The client left, the connection was closed, or the server began shutting down while the
  // stream was being set up: undo every subscription and answer if anyone still listens.
  private abandon(
    connection: SseConnection,
    wanted: StreamRequest,
    response: ServerResponse,
    headers: Record<string, string>,
  ): void {
    const early = connection.closedBeforeStart;
    connection.terminate();
    // A subscribe that awaited the broker may have added the connection after it was dropped.
    for (const channel of wanted.channels) this.hub.unsubscribe(connection, channel);
    const code = early && REFUSAL_ERROR_BY_CLOSE_CODE[early.code];
    if (code)
      return sendError(
        response,
        new ChannelsException(code, early.reason || 'The connection was closed.'),
        headers,
      );
    const body = {
      error: {
        code: ErrorCode.INTERNAL,
        message: 'The stream was closed before it started; retry.',
      },
    };
    sendJson(response, 503, body, { ...headers, 'Retry-After': '1' });
  }
}

/** The stream's channels (`channel` query parameters, then the cursor's) and the cursor. */
function readStreamRequest(request: IncomingMessage): StreamRequest {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const lastEventId = request.headers['last-event-id'] ?? url.searchParams.get('lastEventId') ?? '';
  const cursor = Array.isArray(lastEventId) ? lastEventId[0]! : lastEventId;
  const resumeFrom =
    cursor.trim() === '' ? new Map<string, StreamPosition>() : decodeCursor(cursor.trim());
  const channels = new Set<string>();
  for (const channel of url.searchParams.getAll('channel')) {
    assertChannelName(channel);
    channels.add(channel);
  }
  // Channels subscribed later over POST are in the cursor too: a resume brings them back.
  for (const channel of resumeFrom.keys()) channels.add(channel);
  return { channels: [...channels], resumeFrom };
}
