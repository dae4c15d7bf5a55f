import { ForbiddenException, UnauthorizedException, UseGuards } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsObject, IsString, Length, Min, ValidateNested } from 'class-validator';
import {
  ChannelGateway,
  ChannelParam,
  ConnectedClient,
  MessageBody,
  OnJoin,
  OnMessage,
  RateLimit,
  type Connection,
} from '../../../lib/index.js';
import { tokenGuard } from '../../support/token.guard.js';

/** What the token guard makes of a token. */
export interface TestPrincipal {
  id: string;
  exp?: number;
  expiresAt?: number;
}

/**
 * Tokens: `user-<id>` is user <id>; `exp-<id>-<ms>` expires <ms> from the handshake (as
 * `expiresAt`); `jwt-<id>-<seconds>` carries a JWT-style `exp` <seconds> from now; `banned` is
 * forbidden (4403); `hang` never answers; anything else, or nothing, is unauthorized (4401).
 */
export const TokenGuard = tokenGuard<TestPrincipal>((token = '') => {
  const [kind, id, amount] = token.split('-');
  if (token === 'hang') return new Promise<never>(() => undefined);
  if (token === 'banned') throw new ForbiddenException('This account is banned.');
  if (kind === 'user' && id) return { id };
  if (kind === 'exp' && id) return { id, expiresAt: Date.now() + Number(amount) };
  if (kind === 'jwt' && id) return { id, exp: Date.now() / 1000 + Number(amount) };
  throw new UnauthorizedException('A valid token is required.');
});

export class AddressDto {
  @IsString() @Length(1, 40) city!: string;
}

export class ItemDto {
  @IsString() @Length(1, 20) name!: string;
  @IsInt() @Min(1) qty!: number;
}

export class OrderDto {
  @IsObject() @ValidateNested() @Type(() => AddressDto) address!: AddressDto;
  @IsArray() @ValidateNested({ each: true }) @Type(() => ItemDto) items!: ItemDto[];
}

/** A nested object without `@Type`: class-validator cannot know its class. */
export class LooseDto {
  @ValidateNested() meta!: object;
}

/** Handlers shared by every security spec; no guard, so anyone may connect. */
@ChannelGateway()
export class OpenGateway {
  static calls = 0;

  @OnJoin('room:{roomId}')
  canJoin() {
    return true;
  }

  @OnMessage('echo')
  echo(@MessageBody() data: unknown) {
    OpenGateway.calls++;
    return data ?? null;
  }

  @OnMessage('slow')
  async slow(@MessageBody('ms') ms: number) {
    await new Promise((r) => setTimeout(r, ms));
    return 'done';
  }

  @OnMessage('expensive')
  @RateLimit({ points: 2, durationMs: 60_000 })
  expensive() {
    return 'ok';
  }

  @OnMessage('chatty')
  @RateLimit({ points: 500, durationMs: 60_000 })
  chatty() {
    return 'ok';
  }

  @OnMessage('order')
  order(@MessageBody() dto: OrderDto) {
    return {
      isDto: dto instanceof OrderDto,
      addressIsDto: dto.address instanceof AddressDto,
      itemsAreDtos: dto.items.every((item) => item instanceof ItemDto),
      addressKeys: Object.keys(dto.address),
      polluted: ({} as Record<string, unknown>).polluted ?? null,
      admin: (dto.address as unknown as Record<string, unknown>).isAdmin ?? null,
    };
  }

  @OnMessage('loose')
  loose(@MessageBody() dto: LooseDto) {
    return dto;
  }

  @OnMessage('throws')
  throws() {
    throw new TypeError('secret internals');
  }
}

/** The same handlers behind the token guard, plus the principal-aware ones. */
@ChannelGateway()
@UseGuards(TokenGuard)
export class AuthGateway {
  @OnJoin('user:{userId}')
  canJoin(
    @ConnectedClient() client: Connection<TestPrincipal>,
    @ChannelParam('userId') userId: string,
  ) {
    return client.principal?.id === userId;
  }

  @OnMessage('whoami')
  whoami(@ConnectedClient() client: Connection<TestPrincipal>) {
    return { id: client.principal?.id ?? null, transport: client.transport };
  }
}
