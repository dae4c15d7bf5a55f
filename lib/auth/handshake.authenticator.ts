import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { RESOLVED_OPTIONS, type ResolvedChannelsOptions } from '../channels.options.js';
import { readHandshake, type ChannelsClient, type TransportName } from '../connection/handshake.js';
import { HandlerRegistry } from '../core/handler.registry.js';

/**
 * Runs every gateway's class-level guards (and the global guards) against a handshake
 * request, before any connection exists. A guard may set `client.principal`.
 */
@Injectable()
export class HandshakeAuthenticator {
  constructor(
    private readonly registry: HandlerRegistry,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedChannelsOptions,
  ) {}

  /**
   * @returns the authenticated client, to become a connection
   * @throws whatever a guard threw; a guard that returned false throws `ForbiddenException`
   */
  async authenticate(request: IncomingMessage, transport: TransportName): Promise<ChannelsClient> {
    const handshake = readHandshake(
      request,
      this.options.extractToken(request),
      this.options.clientIp(request),
    );
    const client: ChannelsClient = { transport, handshake, principal: undefined };
    for (const check of this.registry.handshakes)
      await check(client, undefined, { event: 'handshake' });
    return client;
  }
}
