/**
 * The SSE fallback (the `sse` section of {@link ChannelsModuleOptions}): its heartbeat, the
 * reconnection delay it announces, and cross-origin access to its endpoints.
 *
 * @example
 * ChannelsModule.forRoot({
 *   sse: { heartbeatMs: 15_000, retryMs: 3_000, cors: { origins: ['https://app.example.com'], credentials: true } },
 * })
 */
export interface ChannelsSseOptions {
  /**
   * How often an SSE stream gets a `: ping` comment line, which keeps proxies from closing an
   * idle stream and lets the client notice a dead one.
   * @default 15000
   */
  heartbeatMs?: number;
  /**
   * The reconnection delay an SSE stream announces with `retry:`; a browser's `EventSource`
   * waits this long before it reconnects (with `Last-Event-ID`).
   * @default 3000
   */
  retryMs?: number;
  /**
   * Cross-origin access to the SSE endpoints (`GET {path}/sse`, `POST {path}/messages`) from
   * browsers on other origins: which origins get CORS headers, and whether credentials
   * (cookies) may be sent. `'*'` in `origins` allows any origin, without credentials. The
   * `auth.allowedOrigins` gate still applies on top of it.
   * @default { origins: auth.allowedOrigins, credentials: false }; with neither set, the
   *   origins and `credentials` of the app's `enableCors()` when it lists exact origins, else
   *   same-origin only
   * @example cors: { origins: ['https://app.example.com'], credentials: true }
   */
  cors?: ChannelsCorsOptions;
}

/**
 * CORS settings of the SSE endpoints; see {@link ChannelsSseOptions.cors}.
 * @example
 * ChannelsModule.forRoot({ sse: { cors: { origins: ['https://app.example.com'], credentials: true } } })
 */
export interface ChannelsCorsOptions {
  /**
   * Origins whose pages may read the responses.
   * @default the `auth.allowedOrigins` option, else the app's `enableCors()` origins
   */
  origins?: string[];
  /** Sends `Access-Control-Allow-Credentials: true` (cookies, HTTP auth). @default false */
  credentials?: boolean;
}
