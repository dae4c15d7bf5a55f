import type { INestApplicationContext } from '@nestjs/common';
import { ExternalContextCreator, HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { ChannelsEndpoint } from '../transports/channels.endpoint.js';
import type { HandshakeAuth } from './handshake.security.js';

/** Where the app can be read from: an app, or a `ModuleRef`. */
export type AppLike = Pick<INestApplicationContext, 'get'>;

/**
 * What the document needs of the running app besides its gateways: the channels path, what
 * guards the handshake and where the credential is read, and the address it listens on.
 */
export interface AppFacts {
  path: string;
  auth: HandshakeAuth;
  /** `host:port` the app listens on (`localhost:<port>` when it listens on every address). */
  listening: string | undefined;
  /** Whether the app's own server is TLS (`wss`, `https`). */
  tls: boolean;
}

/** Reads the {@link AppFacts} of `app`; an app without `ChannelsModule` gets the defaults. */
export function readApp(app: AppLike): AppFacts {
  const settings = find<ChannelsSettings>(app, CHANNELS_SETTINGS);
  const server = find<HttpAdapterHost>(app, HttpAdapterHost)?.httpAdapter?.getHttpServer?.() as
    { address?(): AddressInfo | string | null } | undefined;
  return {
    // Where the transports listen, the global prefix included when they use it.
    path: find<ChannelsEndpoint>(app, ChannelsEndpoint)?.paths.websocket ?? '/channels',
    auth: {
      guarded: (settings?.auth.handshakeGuards.length ?? 0) > 0 || hasGlobalGuards(app),
      extractor: settings?.auth.extractToken,
    },
    listening: hostOf(server?.address?.()),
    tls: server instanceof TlsServer,
  };
}

function find<T>(app: AppLike, token: unknown): T | undefined {
  try {
    return app.get<T>(token as string, { strict: false });
  } catch {
    return undefined;
  }
}

// The app's global guards (`useGlobalGuards`, `APP_GUARD`) run at every handshake. Read where
// Nest keeps them (the same place in Nest 11 and 12).
function hasGlobalGuards(app: AppLike): boolean {
  const config = (
    find<ExternalContextCreator>(app, ExternalContextCreator) as unknown as
      | {
          guardsContextCreator?: {
            config?: { getGlobalGuards?(): unknown[]; getGlobalRequestGuards?(): unknown[] };
          };
        }
      | undefined
  )?.guardsContextCreator?.config;
  const count =
    (config?.getGlobalGuards?.().length ?? 0) + (config?.getGlobalRequestGuards?.().length ?? 0);
  return count > 0;
}

function hostOf(address: AddressInfo | string | null | undefined): string | undefined {
  if (!address || typeof address === 'string') return undefined;
  const any = address.address === '::' || address.address === '0.0.0.0';
  if (any) return `localhost:${address.port}`;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${host}:${address.port}`;
}
