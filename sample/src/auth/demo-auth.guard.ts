import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { HandshakeClient } from '../../../lib/index.js';
import { DemoTokenService, type DemoPrincipal } from './demo-token.service.js';

/** An HTTP request after {@link DemoAuthGuard}. */
export type AuthenticatedRequest = IncomingMessage & { user: DemoPrincipal };

/**
 * Requires a valid demo token. Over HTTP it reads `Authorization: Bearer`; on the channels
 * gateway it runs at the handshake (the module put the extracted token in
 * `client.handshake.token`) and sets the connection's principal, so later joins and messages
 * find it there.
 */
@Injectable()
export class DemoAuthGuard implements CanActivate {
  constructor(private readonly tokens: DemoTokenService) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
      const header = request.headers.authorization;
      request.user = this.require(
        header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined,
      );
      return true;
    }
    const client = context.switchToWs().getClient<HandshakeClient<DemoPrincipal>>();
    client.principal ??= this.require(client.handshake.token);
    return true;
  }

  private require(token: string | undefined): DemoPrincipal {
    const principal = this.tokens.verify(token);
    if (!principal)
      throw new UnauthorizedException('A valid demo token is required: POST /auth/demo-login.');
    return principal;
  }
}
