import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
  type InjectionToken,
  type Type,
} from '@nestjs/common';
import type { Handshake, HandshakeClient } from '../../lib/index.js';

/**
 * What a test's tokens mean: the principal `token` stands for, or a refusal: `false` (Nest's
 * 403, close code 4403), a thrown `HttpException` (its status and message), or a promise that
 * never settles (a guard that hangs). `deps` are the guard's injected dependencies.
 */
export type TokenRule<P extends object, D extends unknown[] = []> = (
  token: string | undefined,
  handshake: Handshake,
  ...deps: D
) => P | false | Promise<P | false>;

/** A token guard class, for `handshakeGuards` and `@UseGuards`. */
export interface TokenGuardClass extends Type<CanActivate> {
  /** How many clients it authenticated (read the token of): one with a principal just passes. */
  handshakes: number;
}

/**
 * The tests' token guard: a client that already has a principal passes; otherwise `rule` makes
 * the handshake's token a principal (or refuses it). `inject` lists the Nest providers handed to
 * `rule` after the handshake, in order.
 *
 * @example
 * const TokenGuard = tokenGuard((token) => (token ? { id: token } : false));
 * ChannelsModule.forRoot({ auth: { handshakeGuards: [TokenGuard] } });
 */
export function tokenGuard<P extends object, D extends unknown[] = []>(
  rule: TokenRule<P, D>,
  inject: InjectionToken[] = [],
): TokenGuardClass {
  @Injectable()
  class TokenGuard implements CanActivate {
    static handshakes = 0;
    private readonly deps: D;

    constructor(...deps: D) {
      this.deps = deps;
    }

    canActivate(context: ExecutionContext): boolean | Promise<boolean> {
      const client = context.switchToWs().getClient<HandshakeClient<P>>();
      if (client.principal !== undefined) return true;
      TokenGuard.handshakes++;
      const accept = (principal: P | false): boolean => {
        if (principal === false) return false;
        client.principal = principal;
        return true;
      };
      const principal = rule(client.handshake.token, client.handshake, ...this.deps);
      return principal instanceof Promise ? principal.then(accept) : accept(principal);
    }
  }
  // What Nest injects, in place of the rest parameter's emitted type.
  Reflect.defineMetadata('design:paramtypes', inject, TokenGuard);
  return TokenGuard;
}

/** The token is the user's name; `banned` is forbidden, no token at all is unauthorized. */
export const userNamedByToken: TokenRule<{ id: string }> = (token) => {
  if (token === 'banned') throw new ForbiddenException('Banned.');
  if (!token) throw new UnauthorizedException('Who are you?');
  return { id: token };
};

/** The request headers that carry `token` as a bearer credential. */
export const AUTH = (token: string) => ({ Authorization: `Bearer ${token}` });
