import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { ExternalContextCreator, type ParamsFactory } from '@nestjs/core';
import {
  CHANNELS_CONTEXT_TYPE,
  ChannelsParamtype,
  HANDLER_ARGS_METADATA,
  ROUTE_ARGS_METADATA,
} from '../channels.constants.js';
import { RESOLVED_OPTIONS, type ResolvedChannelsOptions } from '../channels.options.js';
import type { ChannelsClient } from '../connection/handshake.js';
import { PayloadValidationPipe } from '../validation/payload-validation.pipe.js';
import type { InvocationMeta, PipelineHandler } from './handler.registry.js';

type HandlerArgs = [ChannelsClient, unknown, InvocationMeta];
type ArgsMetadata = Record<string, { index: number; data?: unknown; pipes?: unknown[] }>;

const paramsFactory: ParamsFactory = {
  exchangeKeyForValue(type: number, data: unknown, args: HandlerArgs): unknown {
    const [client, payload, meta] = args;
    switch (type) {
      case ChannelsParamtype.CLIENT:
        return client;
      case ChannelsParamtype.PAYLOAD:
        return typeof data === 'string' && typeof payload === 'object' && payload !== null
          ? (payload as Record<string, unknown>)[data]
          : payload;
      case ChannelsParamtype.CHANNEL_PARAM:
        return typeof data === 'string' ? meta.params?.[data] : meta.params;
      case ChannelsParamtype.CHANNEL:
        return meta.channel;
      default:
        return undefined;
    }
  },
};

/** A stand-in method for the handshake: guards see it as the handler. */
function channelsHandshake(): boolean {
  return true;
}

/**
 * Wraps gateway methods in Nest's own pipeline with `ExternalContextCreator`, so global,
 * class and method guards, interceptors, pipes and filters run as they do for HTTP. The
 * execution context's type is `'ws'`; `switchToWs().getClient()` is the connection (or, at the
 * handshake, the {@link ChannelsClient}) and `getData()` the payload.
 */
@Injectable()
export class PipelineFactory {
  private readonly validationPipe?: PipeTransform;

  constructor(
    private readonly contextCreator: ExternalContextCreator,
    @Inject(RESOLVED_OPTIONS) options: ResolvedChannelsOptions,
  ) {
    if (options.validation)
      this.validationPipe = new PayloadValidationPipe(
        options.validation,
        options.maxValidationDetails,
      );
  }

  /** A gateway method as a pipeline handler. */
  forMethod(instance: object, methodName: string): PipelineHandler {
    this.defineArgs(instance, methodName);
    const method = (instance as Record<string, (...args: unknown[]) => unknown>)[methodName]!;
    const run = this.contextCreator.create(
      instance as Record<string, unknown>,
      method,
      methodName,
      HANDLER_ARGS_METADATA,
      paramsFactory,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: true },
      CHANNELS_CONTEXT_TYPE,
    );
    return (client, data, meta) => run(client, data, meta);
  }

  /** The gateway's class-level (and global) guards, run against a handshake. */
  forHandshake(instance: object): PipelineHandler {
    const run = this.contextCreator.create(
      instance as Record<string, unknown>,
      channelsHandshake,
      channelsHandshake.name,
      undefined,
      undefined,
      undefined,
      undefined,
      { guards: true, interceptors: false, filters: false },
      CHANNELS_CONTEXT_TYPE,
    );
    return (client, data, meta) => run(client, data, meta);
  }

  // The handler's own parameter metadata, with the payload validation pipe appended to
  // every payload parameter, stored under the module's key on the class declaring the method.
  private defineArgs(instance: object, methodName: string): void {
    const host = declaringClass(instance, methodName);
    const args: ArgsMetadata = Reflect.getMetadata(ROUTE_ARGS_METADATA, host, methodName) ?? {};
    const withValidation: ArgsMetadata = {};
    for (const [key, entry] of Object.entries(args)) {
      const isPayload = key.split(':')[0] === String(ChannelsParamtype.PAYLOAD);
      const pipes = entry.pipes ?? [];
      withValidation[key] =
        isPayload && this.validationPipe
          ? { ...entry, pipes: [...pipes, this.validationPipe] }
          : entry;
    }
    Reflect.defineMetadata(HANDLER_ARGS_METADATA, withValidation, host, methodName);
  }
}

function declaringClass(instance: object, methodName: string): Function {
  for (let proto = Object.getPrototypeOf(instance); proto; proto = Object.getPrototypeOf(proto)) {
    if (Object.prototype.hasOwnProperty.call(proto, methodName)) return proto.constructor;
  }
  return instance.constructor;
}
