/**
 * The `info` of the AsyncAPI document.
 * @example { title: 'Notifications', version: '1.2.0', description: 'Live notifications' }
 */
export interface AsyncApiInfo {
  /** @default 'Channels API' */
  title?: string;
  /** @default '1.0.0' */
  version?: string;
  /** @default none */
  description?: string;
}

/**
 * Options of `ChannelsAsyncApiModule.forRoot` and `createAsyncApiDocument`.
 * @example ChannelsAsyncApiModule.forRoot({ path: '/asyncapi.json', info: { title: 'Notifications' } })
 */
export interface AsyncApiOptions {
  /** The HTTP path that serves the document (`GET`). @default '/asyncapi.json' */
  path?: string;
  /** The document's `info`. @default { title: 'Channels API', version: '1.0.0' } */
  info?: AsyncApiInfo;
  /**
   * The `host` of the document's servers: set it to the public name clients use (behind a
   * proxy or a load balancer). Never taken from a request's `Host` header, which any client
   * chooses.
   * @default the address the app listens on (`localhost:<port>` when it listens on every
   *   address), or 'localhost' before it listens
   * @example ChannelsAsyncApiModule.forRoot({ host: 'api.example.com' })
   */
  host?: string;
  /**
   * Whether clients connect with TLS: the servers' protocols are then `wss` and `https`.
   * @default whether the app's own server is HTTPS
   * @example ChannelsAsyncApiModule.forRoot({ host: 'api.example.com', secure: true }) // TLS ends at the proxy
   */
  secure?: boolean;
  /**
   * The security schemes of the handshake, by id (AsyncAPI 3.0 Security Scheme Objects), for an
   * app whose `auth.extractToken` is its own function: the module cannot know where such a
   * function looks. They are listed (any one of them) on both servers when something guards
   * the handshake (`auth.handshakeGuards` or a global guard). Without it, a custom extractor is
   * described as one assumed `bearer` scheme; the default extractor's schemes are derived from
   * it (see docs/contract.md).
   * @default derived from `auth.extractToken`
   * @example securitySchemes: { apiKey: { type: 'httpApiKey', name: 'x-api-key', in: 'header' } }
   */
  securitySchemes?: Record<string, Record<string, unknown>>;
}

/**
 * An AsyncAPI 3.0 document, as plain JSON.
 * @example const doc: AsyncApiDocument = await createAsyncApiDocument(app); doc.channels['broadcast'];
 */
export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: { title: string; version: string; description?: string };
  defaultContentType: 'application/json';
  servers: Record<string, Record<string, unknown>>;
  channels: Record<string, Record<string, unknown>>;
  operations: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
}
