import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { RESOLVED_OPTIONS, type ResolvedChannelsOptions } from '../channels.options.js';
import type { ChannelsClient, TransportName } from '../connection/handshake.js';
import { ChannelsException } from '../exceptions/channels.exception.js';
import { ErrorCode } from '../protocol/frames.js';
import { HandshakeAuthenticator } from './handshake.authenticator.js';

/**
 * The one gate every new connection passes, on either transport, before it exists: the
 * Origin allow-list, then authentication (the gateways' guards). A refusal is a
 * `ChannelsException` (or what a guard threw); the transport turns it into an HTTP status or
 * a close code.
 */
@Injectable()
export class ConnectionAdmission {
  constructor(
    private readonly authenticator: HandshakeAuthenticator,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedChannelsOptions,
  ) {}

  /** Admits a handshake request, or throws why not. */
  async admit(request: IncomingMessage, transport: TransportName): Promise<ChannelsClient> {
    if (!this.originAllowed(request.headers.origin)) {
      throw new ChannelsException(ErrorCode.FORBIDDEN, 'This origin is not allowed.');
    }
    return this.authenticator.authenticate(request, transport);
  }

  /** Whether an `Origin` passes the allow-list (no header: a non-browser client, allowed). */
  originAllowed(origin: string | undefined): boolean {
    const allowed = this.options.allowedOrigins;
    return !allowed || origin === undefined || allowed.includes(origin);
  }
}
