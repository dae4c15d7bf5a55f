import { MetadataScanner } from '@nestjs/core';
import {
  ChannelsParamtype,
  DELIVERY_METADATA,
  DELTA_METADATA,
  JOIN_METADATA,
  MESSAGE_METADATA,
  ROUTE_ARGS_METADATA,
} from '../gateway/gateway.constants.js';
import type { ChannelDefinition } from '../contract/channel.definition.js';
import {
  JOIN_CONTRACT_METADATA,
  MESSAGE_CONTRACT_METADATA,
} from '../contract/contract.constants.js';
import type { DeliveryPolicy } from '../protocol/delivery-policy.js';
import type { OnMessageOptions } from '../decorators/on-message.decorator.js';

/** A command as the document describes it. */
export interface CommandEntry {
  event: string;
  /** The payload's class or shape; `undefined` when the handler reads no body. */
  payload?: unknown;
  /** Whether the handler reads the body, or only one property of it (then: unknown shape). */
  readsBody: 'whole' | 'property' | 'none';
  reply?: unknown;
  summary?: string;
  description?: string;
  /** Whether the reply is a stream of `reply` values (`defineCommand(..., { stream: true })`). */
  stream?: boolean;
  /** `Gateway.method`. */
  handler: string;
}

/** A channel pattern as the document describes it. */
export interface ChannelEntry {
  pattern: string;
  definition?: ChannelDefinition;
  handler: string;
  /** The delivery policy `@OnJoin` declares, if any. */
  delivery?: DeliveryPolicy;
  /** Whether `@OnJoin` allows delta pushes on it. */
  delta?: boolean;
}

/** What the gateways declare. */
export interface GatewayContract {
  commands: CommandEntry[];
  channels: ChannelEntry[];
}

type ArgEntry = { index: number; data?: unknown };

/**
 * Reads the contract of gateway classes from their decorator metadata: the `@OnMessage`
 * events with their payload (the declared one, or the `@MessageBody()` parameter's class) and
 * reply, and the `@OnJoin` patterns with their pushes.
 */
export function readGateways(gateways: Function[]): GatewayContract {
  const scanner = new MetadataScanner();
  const contract: GatewayContract = { commands: [], channels: [] };
  for (const gateway of gateways) {
    const prototype = gateway.prototype as Record<string, Function>;
    for (const methodName of scanner.getAllMethodNames(prototype)) {
      const method = prototype[methodName]!;
      const handler = `${gateway.name}.${methodName}`;
      const event = Reflect.getMetadata(MESSAGE_METADATA, method) as string | undefined;
      if (event !== undefined) {
        const declared = (Reflect.getMetadata(MESSAGE_CONTRACT_METADATA, method) ??
          {}) as OnMessageOptions & { payload?: unknown };
        const body = bodyOf(gateway, methodName);
        contract.commands.push({
          event,
          payload: declared.payload ?? body.type,
          readsBody: declared.payload ? 'whole' : body.reads,
          reply: declared.reply,
          summary: declared.summary,
          description: declared.description,
          ...(declared.stream ? { stream: true } : {}),
          handler,
        });
      }
      const pattern = Reflect.getMetadata(JOIN_METADATA, method) as string | undefined;
      if (pattern !== undefined) {
        const definition = Reflect.getMetadata(JOIN_CONTRACT_METADATA, method) as
          ChannelDefinition | undefined;
        const delivery = Reflect.getMetadata(DELIVERY_METADATA, method) as
          DeliveryPolicy | undefined;
        const delta = Reflect.getMetadata(DELTA_METADATA, method) === true;
        contract.channels.push({ pattern, definition, handler, delivery, delta });
      }
    }
  }
  contract.commands.sort((a, b) => a.event.localeCompare(b.event));
  return contract;
}

// The `@MessageBody()` parameter and its design type (emitDecoratorMetadata), if any.
function bodyOf(
  gateway: Function,
  methodName: string,
): { reads: CommandEntry['readsBody']; type?: unknown } {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, gateway, methodName) ?? {}) as Record<
    string,
    ArgEntry
  >;
  const types = (Reflect.getMetadata('design:paramtypes', gateway.prototype, methodName) ??
    []) as unknown[];
  let reads: CommandEntry['readsBody'] = 'none';
  for (const [key, entry] of Object.entries(args)) {
    if (!key.startsWith(`${ChannelsParamtype.PAYLOAD}:`)) continue;
    if (entry.data !== undefined) {
      reads = 'property';
      continue;
    }
    return { reads: 'whole', type: types[entry.index] };
  }
  return { reads };
}
