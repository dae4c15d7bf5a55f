import type { DeliveryPolicy } from '../protocol/delivery-policy.js';
import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { PresenceOptions } from '../protocol/presence.types.js';
import {
  GATEWAY_METADATA,
  JOIN_METADATA,
  MESSAGE_METADATA,
  PRESENCE_METADATA,
  DELIVERY_METADATA,
  DELTA_METADATA,
  RATE_LIMIT_METADATA,
} from './gateway.constants.js';

/** A per-event rate limit, as `@RateLimit` declares it. */
export interface RateLimitMetadata {
  points: number;
  durationMs: number;
}

/** The one reader of the module's decorator metadata. */
@Injectable()
export class ChannelsMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  isGateway(target: Type | Function): boolean {
    return this.reflector.get<boolean | undefined>(GATEWAY_METADATA, target) === true;
  }

  messageEvent(method: Function): string | undefined {
    return this.reflector.get<string | undefined>(MESSAGE_METADATA, method);
  }

  joinPattern(method: Function): string | undefined {
    return this.reflector.get<string | undefined>(JOIN_METADATA, method);
  }

  presence(method: Function): PresenceOptions | undefined {
    return this.reflector.get<PresenceOptions | undefined>(PRESENCE_METADATA, method);
  }

  delivery(method: Function): DeliveryPolicy | undefined {
    return this.reflector.get<DeliveryPolicy | undefined>(DELIVERY_METADATA, method);
  }

  delta(method: Function): boolean {
    return this.reflector.get<boolean | undefined>(DELTA_METADATA, method) === true;
  }

  rateLimit(method: Function): RateLimitMetadata | undefined {
    return this.reflector.get<RateLimitMetadata | undefined>(RATE_LIMIT_METADATA, method);
  }
}
