import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SAMPLE_CONFIG, type SampleConfig } from '../sample.config.js';

/** Who a demo token names. */
export interface DemoPrincipal {
  userId: string;
  /** When the token expires, in epoch milliseconds. */
  expiresAt: number;
}

/** The user ids the demo accepts. */
export const USER_ID = /^[a-z0-9_-]{1,32}$/;

/**
 * DEMO ONLY: tokens that say "this is user X until time T", signed with HMAC-SHA256. Anyone
 * may ask for a token for any user; a real app gets its principal from its own sign-in.
 * Format: `demo.<base64url JSON {sub, exp}>.<base64url signature>`, characters that fit in a
 * WebSocket subprotocol (`bearer.<token>`).
 */
@Injectable()
export class DemoTokenService {
  constructor(@Inject(SAMPLE_CONFIG) private readonly config: SampleConfig) {}

  /** A fresh token for `userId`. */
  issue(userId: string, now = Date.now()): string {
    const payload = Buffer.from(
      JSON.stringify({ sub: userId, exp: now + this.config.tokenTtlMs }),
    ).toString('base64url');
    return `demo.${payload}.${this.sign(payload)}`;
  }

  /** The principal of a valid, unexpired token; undefined for anything else. */
  verify(token: string | undefined, now = Date.now()): DemoPrincipal | undefined {
    const [prefix, payload, signature, ...rest] = token?.split('.') ?? [];
    if (prefix !== 'demo' || !payload || !signature || rest.length > 0) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    let claims: { sub?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return undefined;
    }
    if (typeof claims.sub !== 'string' || !USER_ID.test(claims.sub)) return undefined;
    if (typeof claims.exp !== 'number' || claims.exp <= now) return undefined;
    return { userId: claims.sub, expiresAt: claims.exp };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.config.tokenSecret).update(payload).digest('base64url');
  }
}
