import { resolveBackoff, type BackoffOptions, type ResolvedBackoff } from './backoff.js';
import type { TransportName } from './client-transport.js';
import type { FetchLike } from './sse.client-transport.js';
import type { GetToken } from './token.source.js';
import type { WebSocketConstructor } from './ws.client-transport.js';
import type { ClientEncoding } from './wire.codec.js';

/**
 * Options of {@link ChannelsClient}. Only `url` is required.
 *
 * @example
 * new ChannelsClient({ url: 'https://api.example.com/channels', getToken: () => auth.freshToken() })
 * @example // Node 20, which has no global WebSocket
 * import { WebSocket } from 'ws';
 * new ChannelsClient({ url: 'http://127.0.0.1:3000/channels', token, WebSocket })
 */
export interface ChannelsClientOptions {
  /**
   * The module's endpoint: `http(s)://host/channels`, `ws(s)://host/channels`, or, in a
   * browser, a path such as `/channels`. The SSE endpoints are derived from it (`/sse`,
   * `/messages` below it).
   */
  url: string;
  /** A token, sent as the subprotocol `bearer.<token>` (WebSocket) or `Authorization: Bearer` (SSE). */
  token?: string;
  /**
   * Returns a token; called before the first connection (when `token` is not given) and
   * again whenever the server says the token is no longer good (close 4401, HTTP 401).
   * Without it, a 4401 stops the client.
   */
  getToken?: GetToken;
  /**
   * The transports to use, in order of preference. `['sse']` forces the fallback.
   * @default ['websocket', 'sse']
   */
  transports?: TransportName[];
  /**
   * The WebSocket implementation: `ws`'s `WebSocket` in Node 20. Without one (none given and
   * no global `WebSocket`) the constructor throws a `TypeError` that says how to fix it,
   * unless `transports` lists `'sse'`: the client never falls back to SSE unasked.
   * @default globalThis.WebSocket
   */
  WebSocket?: WebSocketConstructor;
  /**
   * The fetch implementation for the SSE stream and its POSTs.
   * @default globalThis.fetch
   */
  fetch?: FetchLike;
  /**
   * Send cookies with the SSE transport's cross-origin requests (`credentials: 'include'`).
   * @default false
   */
  withCredentials?: boolean;
  /**
   * How long a request waits for its answer (including time waiting for a connection).
   * @default 10000
   */
  requestTimeoutMs?: number;
  /**
   * How long a connection attempt may take to reach its welcome.
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * How long past the server's heartbeat interval a silent connection is given before it is
   * considered dead and replaced (see the welcome's `heartbeatMs`).
   * @default 10000
   */
  heartbeatTimeoutMs?: number;
  /**
   * The reconnect schedule: full-jitter exponential backoff.
   * @default { initialMs: 500, maxMs: 20000, factor: 2 }
   */
  backoff?: BackoffOptions;
  /**
   * The delay after close code 4429 (too many connections or messages): between half and
   * all of it, and never shorter than the server's `Retry-After`.
   * @default 30000
   */
  tooManyDelayMs?: number;
  /**
   * How many times WebSocket may fail to open, before it has ever worked, before the client
   * falls back to SSE. A WebSocket constructor that throws falls back at once.
   * @default 2
   */
  webSocketFailuresBeforeFallback?: number;
  /**
   * While on SSE, how long to wait before trying WebSocket again (in the background: the
   * SSE connection stays until the WebSocket is ready).
   * @default 60000
   */
  retryWebSocketMs?: number;
  /**
   * How many times a command the server answered `UNAVAILABLE` (its broker or a store is
   * briefly unreachable, and the command did not run) is sent again, on its own: after the
   * answer's `retryAfterMs`, doubling up to 8 times it, with jitter. A `request` retries only
   * within its `timeoutMs`; a subscription (its first subscribe, or a resubscribe after a
   * reconnect) retries as many times, and then fails like a refusal. 0 turns retries off.
   * @default 6
   */
  unavailableRetries?: number;
  /**
   * A source of random numbers in [0, 1), for the jitter.
   * @default Math.random
   */
  random?: () => number;
  /**
   * The encoding on WebSocket: `'msgpack'` sends and receives MessagePack
   * (`channels.v1.msgpack`): smaller frames, and byte arrays in `data` travel as bytes. Its
   * codec is loaded (a dynamic import) only when chosen. SSE stays JSON, where byte arrays
   * travel as `{ "$binary": … }`; the SDK hands them to you as bytes either way.
   * @default 'json'
   * @example new ChannelsClient({ url, encoding: 'msgpack', WebSocket })
   */
  encoding?: ClientEncoding;
}

/** {@link ChannelsClientOptions} with every default filled in. */
export interface ResolvedClientOptions {
  url: string;
  token: string | undefined;
  getToken: GetToken | undefined;
  transports: TransportName[];
  WebSocket: WebSocketConstructor | undefined;
  fetch: FetchLike | undefined;
  withCredentials: boolean;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  heartbeatTimeoutMs: number;
  backoff: ResolvedBackoff;
  tooManyDelayMs: number;
  webSocketFailuresBeforeFallback: number;
  retryWebSocketMs: number;
  unavailableRetries: number;
  random: () => number;
  encoding: ClientEncoding;
}

/**
 * Fills in the defaults and checks the values.
 * @throws TypeError / RangeError naming the option that is wrong; TypeError when there is no
 *   WebSocket implementation and `transports` does not list `'sse'`
 */
export function resolveClientOptions(options: ChannelsClientOptions): ResolvedClientOptions {
  if (typeof options?.url !== 'string' || options.url.length === 0)
    throw new TypeError('ChannelsClient needs a `url`.');
  const transports = options.transports ?? ['websocket', 'sse'];
  if (transports.length === 0 || transports.some((t) => t !== 'websocket' && t !== 'sse')) {
    throw new TypeError("`transports` lists 'websocket' and/or 'sse'.");
  }
  const globals = globalThis as { WebSocket?: WebSocketConstructor; fetch?: FetchLike };
  const webSocket = options.WebSocket ?? globals.WebSocket;
  // Never a silent SSE client: without a WebSocket, SSE only when the app listed it.
  if (!webSocket && !options.transports?.includes('sse')) throw new TypeError(NO_WEBSOCKET);
  // Called as a plain function: a browser's fetch throws when called as another object's method.
  const fetchImpl = options.fetch ?? globals.fetch;
  return {
    url: options.url,
    token: options.token,
    getToken: options.getToken,
    transports: [...new Set(transports)],
    WebSocket: webSocket,
    fetch: fetchImpl ? (url, init) => fetchImpl(url, init) : undefined,
    withCredentials: options.withCredentials ?? false,
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, 10_000),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 10_000),
    heartbeatTimeoutMs: positive('heartbeatTimeoutMs', options.heartbeatTimeoutMs, 10_000),
    backoff: resolveBackoff(options.backoff),
    tooManyDelayMs: positive('tooManyDelayMs', options.tooManyDelayMs, 30_000),
    webSocketFailuresBeforeFallback: positive(
      'webSocketFailuresBeforeFallback',
      options.webSocketFailuresBeforeFallback,
      2,
    ),
    retryWebSocketMs: positive('retryWebSocketMs', options.retryWebSocketMs, 60_000),
    unavailableRetries: count('unavailableRetries', options.unavailableRetries, 6),
    random: options.random ?? Math.random,
    encoding: encodingOf(options.encoding),
  };
}

const NO_WEBSOCKET =
  'ChannelsClient has no WebSocket implementation: this runtime has no global `WebSocket` ' +
  "(Node 20 has none) and no `WebSocket` option was given. Pass one: `import { WebSocket } from 'ws'; " +
  'new ChannelsClient({ url, WebSocket })`. To run on the SSE transport instead, say so: ' +
  "`transports: ['sse']` (or `['websocket', 'sse']` to fall back to SSE when WebSocket fails).";

function encodingOf(encoding: ClientEncoding | undefined): ClientEncoding {
  if (encoding === undefined || encoding === 'json' || encoding === 'msgpack')
    return encoding ?? 'json';
  throw new TypeError("`encoding` is 'json' or 'msgpack'.");
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value)))
    throw new RangeError(`\`${name}\` must be a positive number.`);
  return value;
}

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value >= 0))
    throw new RangeError(`\`${name}\` must be an integer of 0 or more.`);
  return value;
}
