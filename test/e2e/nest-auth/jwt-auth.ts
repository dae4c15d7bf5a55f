import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  Module,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import {
  ChannelGateway,
  ConnectedClient,
  OnJoin,
  OnMessage,
  type Connection,
} from '../../../lib/index.js';

export const SECRET = 'test-secret-of-the-jwt-fixtures';

/** What the strategies make of a token's payload. */
export interface JwtUser {
  id: string;
  roles: string[];
}

/** The usual passport-jwt strategy of a Nest service, untouched. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: SECRET });
  }

  validate(payload: { sub: string; roles?: string[] }): JwtUser {
    return { id: payload.sub, roles: payload.roles ?? [] };
  }
}

/** A guard written for controllers with `@nestjs/jwt`, untouched. */
@Injectable()
export class JwtServiceGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{
      headers: Record<string, string | undefined>;
      user?: JwtUser;
    }>();
    const [type, token] = request.headers.authorization?.split(' ') ?? [];
    if (type !== 'Bearer' || !token) throw new UnauthorizedException();
    try {
      const payload = await this.jwt.verifyAsync<{ sub: string; roles?: string[] }>(token);
      request.user = { id: payload.sub, roles: payload.roles ?? [] };
    } catch {
      throw new UnauthorizedException();
    }
    return true;
  }
}

/** Admins only, reading the user as controllers do. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<{ user?: JwtUser }>().user;
    if (!user?.roles.includes('admin')) throw new ForbiddenException('Admins only.');
    return true;
  }
}

/** Everyone signed in. */
@ChannelGateway()
export class ChatGateway {
  @OnMessage('whoami')
  whoami(@ConnectedClient() client: Connection<JwtUser>): { id: string | undefined } {
    return { id: client.principal?.id };
  }

  @OnJoin('room:{room}')
  join(): boolean {
    return true;
  }
}

/** Admins only: its guard applies to its own messages. */
@ChannelGateway()
@UseGuards(AdminGuard)
export class AdminGateway {
  @OnMessage('admin.stats')
  stats(): { ok: true } {
    return { ok: true };
  }
}

/** A gateway guarded by `AuthGuard('jwt')` itself, as the reporter had it. */
@ChannelGateway()
@UseGuards(AuthGuard('jwt'))
export class GuardedGateway {
  @OnMessage('guarded.me')
  me(@ConnectedClient() client: Connection<JwtUser>): { id: string | undefined } {
    return { id: client.principal?.id };
  }
}

/** The auth module of a typical service. */
@Module({
  imports: [PassportModule, JwtModule.register({ global: true, secret: SECRET })],
  providers: [JwtStrategy],
})
export class AuthModule {}

/** Signs a token as the service's login endpoint would. */
export function sign(sub: string, roles: string[] = [], secret = SECRET): string {
  return new JwtService({ secret }).sign({ sub, roles });
}
