import type { IncomingMessage } from 'node:http';
import { clientAddress, type TrustFunction } from '../settings/trust-proxy.js';

/**
 * What the app's HTTP platform trusts of proxies, read from its own setting: Express's
 * `app.set('trust proxy', …)` or Fastify's `new FastifyAdapter({ trustProxy: … })`.
 */
export interface PlatformProxy {
  /** How the user sets it on this platform, for messages; undefined on another platform. */
  readonly setting: string | undefined;
  /** The client IP the platform's `req.ip` would give for `request`. */
  clientIp(request: IncomingMessage): string | undefined;
  /** Whether the socket's peer is a proxy the platform trusts (its `X-Forwarded-*` count). */
  trustsPeer(request: IncomingMessage): boolean;
}

/** The part of Nest's HTTP adapter this reads (Express's and Fastify's both have it). */
export interface PlatformAdapter {
  getType?(): string;
  getInstance?(): unknown;
}

const SETTING = {
  express: "app.set('trust proxy', …)",
  fastify: 'new FastifyAdapter({ trustProxy: … })',
} as const;

/** A platform that trusts no proxy: the socket's address. */
// Built once per setting name: the resolver asks on every handshake.
const untrustingBySetting = new Map<string | undefined, PlatformProxy>();

function untrusting(setting: string | undefined): PlatformProxy {
  let proxy = untrustingBySetting.get(setting);
  if (proxy === undefined) {
    proxy = {
      setting,
      clientIp: (request) => request.socket.remoteAddress,
      trustsPeer: () => false,
    };
    untrustingBySetting.set(setting, proxy);
  }
  return proxy;
}

/**
 * Reads the proxy trust of the app's platform. Read per request (an Express app may set
 * `trust proxy` after the module started, before it listens).
 * @example platformProxy(adapterHost.httpAdapter).clientIp(request)
 */
export function platformProxy(adapter: PlatformAdapter | undefined): PlatformProxy {
  const type = adapter?.getType?.();
  if (type === 'express') return expressProxy(adapter!.getInstance?.());
  if (type === 'fastify') return fastifyProxy(adapter!.getInstance?.());
  return untrusting(undefined);
}

// Express keeps the compiled `trust proxy` setting as 'trust proxy fn'.
function expressProxy(instance: unknown): PlatformProxy {
  const get = (instance as { get?: (key: string) => unknown } | undefined)?.get;
  const fn = typeof get === 'function' ? get.call(instance, 'trust proxy fn') : undefined;
  if (typeof fn !== 'function') return untrusting(SETTING.express);
  const trust = fn as TrustFunction;
  // Read on every handshake (the app may change it), built once per compiled setting.
  let proxy = expressReaders.get(trust);
  if (proxy === undefined) {
    proxy = expressTrusting(trust);
    expressReaders.set(trust, proxy);
  }
  return proxy;
}

const expressReaders = new WeakMap<TrustFunction, PlatformProxy>();

function expressTrusting(trust: TrustFunction): PlatformProxy {
  return {
    setting: SETTING.express,
    clientIp: (request) =>
      clientAddress(request.socket.remoteAddress, forwardedFor(request), trust),
    trustsPeer: (request) => {
      const peer = request.socket.remoteAddress;
      return peer !== undefined && trust(peer, 0);
    },
  };
}

type Getter = (this: unknown) => unknown;
const fastifyReaders = new WeakMap<object, PlatformProxy>();

// Fastify compiles `trustProxy` into the `ip` and `protocol` getters of its Request class
// (and keeps the option nowhere else): they are called on the raw request, so the IP is the
// one Fastify's own `request.ip` gives, whatever form the option took.
function fastifyProxy(instance: unknown): PlatformProxy {
  if (typeof instance !== 'object' || instance === null) return untrusting(SETTING.fastify);
  const known = fastifyReaders.get(instance);
  if (known) return known;
  const key = Object.getOwnPropertySymbols(instance).find(
    (symbol) => symbol.description === 'fastify.Request',
  );
  const RequestClass = key ? (instance as Record<symbol, unknown>)[key] : undefined;
  const prototype = (RequestClass as { prototype?: object } | undefined)?.prototype;
  const ip = prototype && Object.getOwnPropertyDescriptor(prototype, 'ip')?.get;
  const protocol = prototype && Object.getOwnPropertyDescriptor(prototype, 'protocol')?.get;
  // Without trustProxy Fastify defines neither getter on the prototype itself.
  const reader =
    ip && protocol
      ? fastifyTrusting(ip as Getter, protocol as Getter)
      : untrusting(SETTING.fastify);
  fastifyReaders.set(instance, reader);
  return reader;
}

function fastifyTrusting(ip: Getter, protocol: Getter): PlatformProxy {
  const PROBE = 'channels-trust-probe';
  return {
    setting: SETTING.fastify,
    clientIp: (request) => ip.call({ raw: request }) as string | undefined,
    // Fastify answers X-Forwarded-Proto only from a trusted peer.
    trustsPeer: (request) =>
      protocol.call({
        raw: request,
        socket: request.socket,
        headers: { 'x-forwarded-proto': PROBE },
      }) === PROBE,
  };
}

function forwardedFor(request: IncomingMessage): string | undefined {
  const header = request.headers['x-forwarded-for'];
  return Array.isArray(header) ? header.join(',') : header;
}
