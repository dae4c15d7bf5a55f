import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';

/** What the app's `enableCors()` allows, as far as the module can use it. */
export interface AppCors {
  /** The exact origins it lists; `undefined` when it lists none the module can use. */
  readonly origins: readonly string[] | undefined;
  /** Whether it allows credentials (`credentials: true`). */
  readonly credentials: boolean;
}

/** The part of Nest's HTTP adapter this reads (Express's and Fastify's both have it). */
interface CorsAdapter {
  enableCors?: (options?: unknown, ...rest: unknown[]) => unknown;
}

// Marks an adapter whose enableCors is already read (a second module instance must not wrap it
// again).
const READ = Symbol('channels:cors-read');

/**
 * Reads the origins of the app's own CORS setting (`app.enableCors(options)` or
 * `NestFactory.create(module, { cors })`), which the module uses where `auth.allowedOrigins`
 * is not set. The channel endpoints are taken from the HTTP server before Express or Fastify
 * sees them, so the CORS middleware never runs on them, and neither platform keeps its
 * options where they can be read back: the reader sees them as the app hands them to Nest's
 * HTTP adapter (`enableCors`, which Nest calls in both cases, before the app listens).
 *
 * Only a list of exact origins (`origin: 'https://a.example'` or an array of strings) is used.
 * Anything else (no options, `'*'` or `true`: every origin; a RegExp; a function) cannot be
 * taken over by a WebSocket endpoint, where a browser sends cookies whatever CORS says: one
 * warning says so at startup, and the endpoints stay same-origin.
 *
 * @example
 * app.enableCors({ origin: ['https://app.example.com'], credentials: true });
 * // the WebSocket, SSE and POST endpoints now admit https://app.example.com too
 */
@Injectable()
export class AppCorsReader {
  private readonly logger = new Logger('Channels');
  private read: AppCors = { origins: undefined, credentials: false };
  private warned = false;

  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
  ) {
    if (!settings.transports) return;
    // The adapter is there when the app is built with NestFactory, and only later in a test
    // app (createNestApplication): `init$` fires either way (Nest 10.2 and later).
    const init$ = (adapterHost as { init$?: { subscribe(next: () => void): unknown } }).init$;
    if (init$) init$.subscribe(() => this.wrap(adapterHost.httpAdapter as CorsAdapter));
    else this.wrap(adapterHost.httpAdapter as CorsAdapter | undefined);
  }

  /** What the app's CORS setting allows (nothing until the app calls `enableCors`). */
  get cors(): AppCors {
    return this.read;
  }

  private wrap(adapter: CorsAdapter | undefined): void {
    const original = adapter?.enableCors;
    if (!adapter || typeof original !== 'function' || READ in adapter) return;
    Object.defineProperty(adapter, READ, { value: true });
    adapter.enableCors = (options?: unknown, ...rest: unknown[]) => {
      this.take(options);
      return original.call(adapter, options, ...rest);
    };
  }

  private take(options: unknown): void {
    const { origins, credentials, unreadable } = interpret(options);
    this.read = { origins, credentials };
    if (unreadable === undefined || this.settings.auth.allowedOrigins !== undefined) return;
    if (this.warned) return;
    this.warned = true;
    this.logger.warn(
      `app.enableCors() allows ${unreadable}, which the channel endpoints do not take over: a ` +
        'browser sends cookies on a WebSocket whatever CORS says. They admit only pages of ' +
        "the app's own origin: list the others in auth.allowedOrigins (docs/security.md).",
    );
  }
}

/** The origins and credentials of Nest's `CorsOptions`, or why they cannot be used. */
function interpret(options: unknown): AppCors & { unreadable?: string } {
  if (typeof options === 'function')
    return { origins: undefined, credentials: false, unreadable: 'origins chosen by a function' };
  const { origin, credentials } = (options ?? {}) as { origin?: unknown; credentials?: unknown };
  const withCredentials = credentials === true;
  const none = (unreadable: string) => ({ origins: undefined, credentials: false, unreadable });
  if (origin === false) return { origins: undefined, credentials: false };
  if (origin === undefined || origin === '*' || origin === true) return none('every origin');
  if (typeof origin === 'string') return { origins: [origin], credentials: withCredentials };
  if (Array.isArray(origin) && origin.every((o): o is string => typeof o === 'string'))
    return origin.includes('*')
      ? none('every origin')
      : { origins: origin, credentials: withCredentials };
  return none('origins matched by a pattern or a function');
}
