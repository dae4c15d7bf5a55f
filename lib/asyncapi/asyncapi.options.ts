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
   * The `host` of the document's servers. When serving, the request's `Host` header is used
   * unless this is set.
   * @default the request's Host, or 'localhost' outside a request
   */
  host?: string;
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
