import { Injectable } from '@nestjs/common';
import type { HandshakeClient } from '../connection/handshake.js';
import type { ChannelPattern } from './channel-pattern.js';
import type { RateLimitMetadata } from './channels-metadata.accessor.js';
import type { DeliveryPolicy } from '../protocol/delivery-policy.js';
import type { PresenceOptions } from '../protocol/presence.types.js';

/** What a handler receives: the client, the payload, and where the call came from. */
export interface InvocationMeta {
  event: string;
  channel?: string;
  params?: Record<string, string>;
}

/** A handler wrapped in Nest's pipeline: guards, interceptors, pipes, filters. */
export type PipelineHandler = (
  client: HandshakeClient,
  data: unknown,
  meta: InvocationMeta,
) => Promise<unknown>;

/** An `@OnMessage` handler. */
export interface MessageRoute {
  event: string;
  handler: PipelineHandler;
  rateLimit?: RateLimitMetadata;
  /** `Gateway.method`, for messages. */
  name: string;
}

/** An `@OnJoin` handler. */
export interface JoinRoute {
  pattern: ChannelPattern;
  handler: PipelineHandler;
  name: string;
  /** Presence on the matching channels, when `@OnJoin` enables it. */
  presence?: PresenceOptions;
  /** The delivery policy of the matching channels, when `@OnJoin` declares one. */
  delivery?: DeliveryPolicy;
  /** Whether the matching channels allow delta pushes (`@OnJoin(pattern, { delta: true })`). */
  delta?: boolean;
}

/** The handlers found at bootstrap: by event and by channel pattern. */
@Injectable()
export class HandlerRegistry {
  readonly messages = new Map<string, MessageRoute>();
  readonly joins: JoinRoute[] = [];

  addMessage(route: MessageRoute): void {
    const existing = this.messages.get(route.event);
    if (existing) {
      throw new Error(
        `Event "${route.event}" is handled twice: by ${existing.name} and ${route.name}.`,
      );
    }
    this.messages.set(route.event, route);
  }

  addJoin(route: JoinRoute): void {
    this.joins.push(route);
  }

  /** The first join route whose pattern matches, with its parameters. */
  matchJoin(channel: string): { route: JoinRoute; params: Record<string, string> } | undefined {
    for (const route of this.joins) {
      const params = route.pattern.match(channel);
      if (params) return { route, params };
    }
    return undefined;
  }
}
