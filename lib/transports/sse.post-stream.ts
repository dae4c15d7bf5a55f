import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ChannelsEvents } from '../connection/channels.events.js';
import { CloseCode } from '../protocol/codes.js';
import { isStreamEnd, type StreamReplyInfo } from '../protocol/stream-channel.js';
import type { SseConnection } from './sse.connection.js';
import { SseStreamHandler } from './sse.stream-handler.js';

/**
 * `POST {path}/messages` with `Accept: text/event-stream` and no `X-Channels-Connection`: a
 * command whose handler streams gets the stream as its own response (docs/protocol.md,
 * "Streamed replies"), the AI-streaming case with plain `fetch`. The response is an SSE stream
 * of the stream channel from its first value (`event: connected`, each push with its `id:`
 * cursor), closed (`event: close`, code 1000) after `stream.end` or `stream.error`;
 * `GET {path}/sse?channel=<stream channel>` with the last cursor as `Last-Event-ID` resumes it.
 */
@Injectable()
export class SsePostStreams {
  // The POST streams of each stream channel on this node, closed after its last push.
  private readonly open = new Map<string, Set<SseConnection>>();
  private listening = false;

  constructor(
    private readonly streams: SseStreamHandler,
    private readonly events: ChannelsEvents,
  ) {}

  /** Whether a POST asks for its streamed reply as an event stream. */
  wants(request: IncomingMessage): boolean {
    const accept = request.headers.accept;
    return typeof accept === 'string' && /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept);
  }

  /** Answers the POST with the stream channel as an SSE stream, from its first value. */
  async respond(
    request: IncomingMessage,
    response: ServerResponse,
    headers: Record<string, string>,
    stream: StreamReplyInfo,
  ): Promise<void> {
    const { channel, epoch } = stream;
    const opened = await this.streams.open(request, response, headers, {
      channels: [channel],
      resumeFrom: new Map([[channel, { epoch, offset: 0 }]]),
    });
    if (!opened) return;
    const { connection, replies } = opened;
    // A stream that ended before the response began was replayed to its end.
    if (replies.some((reply) => reply.missed.some((push) => isStreamEnd(push.event))))
      return this.end(connection);
    this.listen();
    let set = this.open.get(channel);
    if (!set) this.open.set(channel, (set = new Set()));
    set.add(connection);
    connection.onClose(() => {
      set.delete(connection);
      if (set.size === 0 && this.open.get(channel) === set) this.open.delete(channel);
    });
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    this.events.on('push.delivered', ({ push }) => {
      if (!isStreamEnd(push.event)) return;
      for (const connection of this.open.get(push.channel) ?? []) this.end(connection);
    });
  }

  private end(connection: SseConnection): void {
    connection.close(CloseCode.NORMAL, 'The stream ended.');
  }
}
