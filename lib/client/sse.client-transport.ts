import { parseJsonFrame } from './wire.codec.js';
import { stringifyFrame } from '../protocol/binary-value.js';
import type {
  CommandFrame,
  ErrorBody,
  ErrorFrame,
  PushFrame,
  WelcomeData,
} from '../protocol/frames.js';
import type { StreamReplyInfo } from '../protocol/stream-channel.js';
import {
  CLOSE_CODE_BY_HTTP_STATUS,
  CloseCode,
  ERROR_CODE_BY_STATUS,
  ErrorCode,
} from '../protocol/codes.js';
import { ChannelsError } from './channels.error.js';
import type {
  ClientTransport,
  Endpoints,
  ServerFrame,
  TransportClose,
  TransportListener,
} from './client-transport.js';
import { SseParser, type SseEvent } from './sse.parser.js';
import type { TokenProvider } from './token.source.js';

/**
 * The part of a fetch `Response` the SDK reads; a WHATWG `Response` fits.
 * @example const response: FetchResponseLike = await fetch('/channels/sse');
 */
export interface FetchResponseLike {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

/**
 * The request options the SDK passes to fetch.
 * @example
 * { method: 'POST', body: '{"id":1,"event":"ping"}', credentials: 'same-origin',
 *   headers: { 'Content-Type': 'application/json', 'X-Channels-Connection': connectionId } }
 */
export interface FetchInitLike {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  credentials?: 'include' | 'same-origin';
  cache?: 'no-store';
}

/**
 * A fetch implementation: the global `fetch` of browsers and Node 18+, or a wrapper of it.
 * @example
 * const fetch: FetchLike = (url, init) =>
 *   globalThis.fetch(url, { ...init, headers: { ...init.headers, 'X-Tenant': 'acme' } });
 * new ChannelsClient({ url: '/channels', fetch });
 */
export type FetchLike = (url: string, init: FetchInitLike) => Promise<FetchResponseLike>;

/**
 * The fallback transport: pushes arrive on a `text/event-stream` response, commands go out as
 * HTTP POSTs bound to the stream by `X-Channels-Connection`.
 *
 * The stream is read with `fetch`, not `EventSource`: `EventSource` cannot send an
 * `Authorization` header in a browser, hides the HTTP status of a refusal (so a 401 could not
 * trigger a token refresh), delivers named events (`event: <push event>`) only to listeners
 * registered for that name in advance, and hides the `: ping` comments the heartbeat check
 * needs. Resuming after a reconnect uses `subscribe` with `since`, as over WebSocket.
 *
 * The stream opens with the attempt's token; each POST carries the client's current one,
 * since the server checks credentials on every POST: after a 401 the next POST goes out with
 * the token `getToken` gives, while the stream stays up.
 */
export class SseClientTransport implements ClientTransport {
  readonly name = 'sse' as const;
  readonly answersOnConnection = false;
  readonly seesHeartbeats = true;
  private readonly abort = new AbortController();
  private connectionId = '';
  private opened = false;
  private ended = false;

  /**
   * Opens the stream.
   * @param token the stream's token
   * @param currentToken the token of each POST, fetched anew after a refusal
   * @throws ChannelsError `BAD_REQUEST` when there is no fetch implementation
   */
  constructor(
    private readonly endpoints: Endpoints,
    private readonly token: string | undefined,
    private readonly currentToken: TokenProvider,
    private readonly fetchImpl: FetchLike | undefined,
    private readonly withCredentials: boolean,
    private readonly listener: TransportListener,
  ) {
    if (!fetchImpl)
      throw new ChannelsError(
        'BAD_REQUEST',
        'No fetch implementation: pass one as the `fetch` option.',
      );
    void this.run(fetchImpl);
  }

  send(frame: CommandFrame): void {
    void this.post(frame);
  }

  close(code = 1000, reason = ''): void {
    this.end({ code, reason, opened: this.opened });
    this.abort.abort();
  }

  private async run(fetchImpl: FetchLike): Promise<void> {
    let response: FetchResponseLike;
    try {
      response = await fetchImpl(this.endpoints.stream, {
        headers: headers(this.token, { Accept: 'text/event-stream' }),
        signal: this.abort.signal,
        credentials: this.credentials,
        cache: 'no-store',
      });
    } catch {
      return this.end({
        code: 1006,
        reason: 'The event stream could not be opened.',
        opened: false,
      });
    }
    if (!response.ok) return this.end(await refusal(response));
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') || !response.body) {
      return this.end({
        code: CloseCode.INTERNAL_ERROR,
        reason: `Not an event stream (HTTP ${response.status}).`,
        opened: false,
      });
    }
    this.opened = true;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser((event) => this.onEvent(event));
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        // Any bytes, `: ping` comments included, prove the server alive.
        this.listener.onActivity();
        parser.push(decoder.decode(value, { stream: true }));
      }
      this.end({ code: 1006, reason: 'The event stream ended.', opened: true });
    } catch {
      this.end({ code: 1006, reason: 'The event stream failed.', opened: true });
    }
  }

  private onEvent(event: SseEvent): void {
    // Nothing counts after the transport ended (the server's close, or the client's).
    if (this.ended) return;
    const data = parseJson(event.data);
    if (event.event === 'close') {
      // The server's own code (4403 stop, 4401 refresh, 4429 wait, ...), not the 1006 of a
      // stream that broke: end now rather than when the server's end of stream arrives.
      const close = readClose(data);
      if (close) {
        this.end(close);
        this.abort.abort();
      }
    } else if (event.event === 'connected') {
      if (!isObject(data) || typeof data.connectionId !== 'string') return;
      this.connectionId = data.connectionId;
      this.listener.onWelcome(data as unknown as WelcomeData);
    } else if (event.event === 'reset') {
      this.listener.onReset(readChannels(data ?? event.data));
    } else if (
      isObject(data) &&
      typeof data.channel === 'string' &&
      // Presence pushes carry no offset: they are not history. A position frame (`event:
      // position`, a push this stream was excluded from) has one, and no `event` of its own.
      (typeof data.offset === 'number' || data.event === 'presence.diff')
    ) {
      this.listener.onFrame(data as unknown as PushFrame);
    }
  }

  private async post(frame: CommandFrame): Promise<void> {
    let token: string | undefined;
    try {
      token = await this.currentToken();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.listener.onSendFailed(
        frame.id,
        new ChannelsError('UNAUTHORIZED', `getToken failed: ${reason}`),
      );
      return;
    }
    let response: FetchResponseLike;
    let text: string;
    try {
      response = await this.fetchImpl!(this.endpoints.messages, {
        method: 'POST',
        headers: headers(token, {
          'Content-Type': 'application/json',
          'X-Channels-Connection': this.connectionId,
        }),
        body: stringifyFrame(frame),
        credentials: this.credentials,
      });
      text = await response.text();
    } catch {
      this.listener.onSendFailed(
        frame.id,
        new ChannelsError('DISCONNECTED', 'The command could not be sent.'),
      );
      return;
    }
    // A 503 (a server shutting down) fails only this command, with the server's own code and
    // `retryAfterMs`: other POSTs in flight still get their answers, and the stream's own
    // close (1001), or the 503 of the next stream, tells the client to reconnect later.
    const answer = toAnswer(frame.id, response, parseJson(text));
    if (answer) this.listener.onFrame(answer, response.status);
  }

  private get credentials(): 'include' | 'same-origin' {
    return this.withCredentials ? 'include' : 'same-origin';
  }

  private end(close: TransportClose): void {
    if (this.ended) return;
    this.ended = true;
    this.listener.onClose(close);
  }
}

function headers(token: string | undefined, extra: Record<string, string>): Record<string, string> {
  return token === undefined ? extra : { ...extra, Authorization: `Bearer ${token}` };
}

async function refusal(response: FetchResponseLike): Promise<TransportClose> {
  const body = readErrorBody(parseJson(await response.text().catch(() => '')));
  const retryAfterMs = retryAfter(response) ?? body?.retryAfterMs;
  const status = response.status;
  // Any other refusal (a 404 where no SSE transport is mounted, a 5xx) is a server-side failure.
  const code = CLOSE_CODE_BY_HTTP_STATUS[status] ?? CloseCode.INTERNAL_ERROR;
  const close: TransportClose = { code, reason: body?.message ?? `HTTP ${status}`, opened: false };
  if (retryAfterMs !== undefined) close.retryAfterMs = retryAfterMs;
  return close;
}

// `event: close` carries `{ "code": 4403, "reason": "…" }`; anything else is not a close.
function readClose(data: unknown): TransportClose | undefined {
  if (!isObject(data) || typeof data.code !== 'number' || !Number.isInteger(data.code))
    return undefined;
  const reason = typeof data.reason === 'string' ? data.reason : '';
  return { code: data.code, reason, opened: true };
}

// The answer to a POSTed command: the reply or error frame in the body, or one made from the
// status when the body is not a frame (a proxy's error page, say).
function toAnswer(
  id: number | undefined,
  response: FetchResponseLike,
  body: unknown,
): ServerFrame | undefined {
  const error = readErrorBody(body);
  if (error) {
    const retryAfterMs = error.retryAfterMs ?? retryAfter(response);
    const frame: ErrorFrame = {
      error: retryAfterMs === undefined ? error : { ...error, retryAfterMs },
    };
    return id === undefined ? frame : { id, ...frame };
  }
  if (response.ok) {
    if (id === undefined) return undefined;
    const data = isObject(body) && 'data' in body ? body.data : null;
    // A streamed reply names its stream channel (docs/protocol.md, "Streamed replies").
    const stream = isObject(body) && isObject(body.stream) ? body.stream : undefined;
    return stream ? { id, data, stream: stream as unknown as StreamReplyInfo } : { id, data };
  }
  const code = ERROR_CODE_BY_STATUS[response.status] ?? ErrorCode.INTERNAL;
  const frame: ErrorFrame = {
    error: { code, message: `The server answered HTTP ${response.status}.` },
  };
  return id === undefined ? frame : { id, ...frame };
}

function readErrorBody(body: unknown): ErrorBody | undefined {
  if (!isObject(body) || !isObject(body.error)) return undefined;
  const { code, message } = body.error;
  if (typeof code !== 'string') return undefined;
  return {
    ...body.error,
    code,
    message: typeof message === 'string' ? message : code,
  } as ErrorBody;
}

function retryAfter(response: FetchResponseLike): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

// `event: reset` names the channels whose history is gone: a JSON array, `{ "channels": [...] }`,
// or a comma-separated list.
function readChannels(data: unknown): string[] {
  const list = isObject(data) ? data.channels : data;
  if (Array.isArray(list)) return list.filter((c): c is string => typeof c === 'string');
  if (typeof list === 'string')
    return list
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
  return [];
}

// Byte arrays arrive as `{ "$binary": … }` and are handed on as bytes, as on WebSocket.
const parseJson = parseJsonFrame;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
