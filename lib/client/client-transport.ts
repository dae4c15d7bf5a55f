import type {
  CommandFrame,
  ErrorFrame,
  PositionFrame,
  PushFrame,
  ReplyFrame,
  WelcomeData,
} from '../protocol/frames.js';
import type { TransportName } from '../protocol/transport-name.js';
import type { ChannelsError } from './channels.error.js';

export type { TransportName } from '../protocol/transport-name.js';

/** A frame the server sends after the welcome. */
export type ServerFrame = ReplyFrame | ErrorFrame | PushFrame | PositionFrame;

/** How a transport ended, in WebSocket close-code terms (the SSE transport maps HTTP to them). */
export interface TransportClose {
  /** A close code (see docs/protocol.md): 1006 when the network failed with none. */
  code: number;
  reason: string;
  /** Whether the socket opened (or the stream answered 200). */
  opened: boolean;
  /** For 4429 over HTTP: the server's `Retry-After`. */
  retryAfterMs?: number;
}

/** What a transport reports to the client. */
export interface TransportListener {
  /** The welcome (the first frame): the transport is ready for commands. */
  onWelcome(data: WelcomeData): void;
  /** A reply, error or push; `status` is the HTTP status when it answered a POST. */
  onFrame(frame: ServerFrame, status?: number): void;
  /** Anything at all arrived, even a heartbeat comment: the server is alive. */
  onActivity(): void;
  /** The server could not replay these channels' history (SSE `event: reset`). */
  onReset(channels: string[]): void;
  /** The transport ended; it reports nothing after this. */
  onClose(close: TransportClose): void;
  /** A command could not be delivered (the SSE transport's POST failed on the network). */
  onSendFailed(id: number | undefined, error: ChannelsError): void;
}

/** One attempt at a connection, on one transport. */
export interface ClientTransport {
  readonly name: TransportName;
  /**
   * Whether answers travel on the connection itself (WebSocket), so that commands in flight
   * are lost with it; over SSE each command is its own HTTP request.
   */
  readonly answersOnConnection: boolean;
  /**
   * Whether the server's heartbeat is visible to the client. A browser never surfaces
   * WebSocket pings, so the WebSocket transport is probed instead (see `HeartbeatWatchdog`).
   */
  readonly seesHeartbeats: boolean;
  /** Sends a command; its answer arrives through `onFrame` (or `onSendFailed`). */
  send(frame: CommandFrame): void;
  /** Ends the transport. It may still report, but the client no longer listens. */
  close(code?: number, reason?: string): void;
}

/** The endpoints derived from the client's `url`. */
export interface Endpoints {
  /** The WebSocket URL (ws: or wss:). */
  webSocket: string;
  /** The SSE stream URL. */
  stream: string;
  /** The URL commands are POSTed to over SSE. */
  messages: string;
}

/**
 * Derives the endpoints from the module's path as a URL (`https://api.example.com/channels`,
 * `ws://…`, or a relative `/channels` in a browser).
 * @throws TypeError when the URL is relative and there is no page to resolve it against (in
 *   Node), or is not an http(s) or ws(s) URL
 */
export function resolveEndpoints(url: string): Endpoints {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  const parsed = parseUrl(url, base);
  parsed.hash = '';
  parsed.search = '';
  const path = parsed.pathname.replace(/\/+$/, '');
  const secure = parsed.protocol === 'https:' || parsed.protocol === 'wss:';
  const host = parsed.host;
  return {
    webSocket: `${secure ? 'wss' : 'ws'}://${host}${path}`,
    stream: `${secure ? 'https' : 'http'}://${host}${path}/sse`,
    messages: `${secure ? 'https' : 'http'}://${host}${path}/messages`,
  };
}

// Node has no page to resolve a relative URL against; `new URL` would only say "Invalid URL".
function parseUrl(url: string, base: string | undefined): URL {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    throw new TypeError(
      base === undefined
        ? `ChannelsClient: "${url}" is not an absolute URL, and there is no page to resolve it ` +
            `against (outside a browser). Pass the server's full URL, such as ` +
            `"http://127.0.0.1:3000/channels" or "wss://api.example.com/channels".`
        : `ChannelsClient: "${url}" is not a valid URL.`,
    );
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    throw new TypeError(
      `ChannelsClient: "${url}" is a ${parsed.protocol} URL; use http(s):// or ws(s)://.`,
    );
  }
  return parsed;
}
