import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request headers a cross-origin page may send to the SSE endpoints. */
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Channels-Connection, Last-Event-ID';
/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * CORS for the SSE endpoints, from the `cors` option: which origins' pages may read the
 * responses, and whether they may send credentials. It only writes headers; whether a request
 * is admitted at all is the `allowedOrigins` gate of `ConnectionAdmission`.
 *
 * @example new CorsPolicy({ origins: ['https://app.example.com'], credentials: true })
 */
export class CorsPolicy {
  private readonly anyOrigin: boolean;
  private readonly origins: ReadonlySet<string>;

  constructor(
    private readonly settings: {
      readonly origins: readonly string[] | undefined;
      readonly credentials: boolean;
    },
  ) {
    this.anyOrigin = settings.origins?.includes('*') ?? false;
    this.origins = new Set(settings.origins ?? []);
  }

  /** Whether a page on `origin` may read the responses. */
  allows(origin: string | undefined): origin is string {
    return origin !== undefined && (this.anyOrigin || this.origins.has(origin));
  }

  /** The CORS headers of an actual (non-preflight) response to a request from `origin`. */
  headersFor(origin: string | undefined): Record<string, string> {
    if (!this.allows(origin)) return origin === undefined ? {} : { Vary: 'Origin' };
    // '*' never goes with credentials: a credentialed response names its one origin.
    if (this.anyOrigin && !this.settings.credentials) {
      return { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'Retry-After' };
    }
    const headers: Record<string, string> = {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Expose-Headers': 'Retry-After',
      Vary: 'Origin',
    };
    if (this.settings.credentials && !this.anyOrigin)
      headers['Access-Control-Allow-Credentials'] = 'true';
    return headers;
  }

  /**
   * Answers an `OPTIONS` preflight: 204 with the allowed methods and headers for an allowed
   * origin, 403 without CORS headers otherwise (the browser then blocks the request).
   */
  preflight(request: IncomingMessage, response: ServerResponse): void {
    const origin = request.headers.origin;
    if (!this.allows(origin)) {
      response.writeHead(403, { 'Content-Length': '0', Vary: 'Origin' }).end();
      return;
    }
    response
      .writeHead(204, {
        ...this.headersFor(origin),
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
        'Content-Length': '0',
      })
      .end();
  }
}
