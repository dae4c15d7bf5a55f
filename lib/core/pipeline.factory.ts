import { Inject, Injectable, type CanActivate, type PipeTransform } from '@nestjs/common';
import { ExternalContextCreator, type ParamsFactory } from '@nestjs/core';
import {
  CHANNELS_CONTEXT_TYPE,
  ChannelsParamtype,
  HANDLER_ARGS_METADATA,
  ROUTE_ARGS_METADATA,
} from '../channels.constants.js';
import { RESOLVED_OPTIONS, type ResolvedChannelsOptions } from '../channels.options.js';
import { HandshakeResponse } from '../auth/handshake.response.js';
import { exposeRequest } from '../auth/request.view.js';
import type { HandshakeClient } from '../connection/handshake.js';
import { PayloadValidationPipe } from '../validation/payload-validation.pipe.js';
import type { InvocationMeta, PipelineHandler } from './handler.registry.js';
import { NEST_KEYS, passThroughFilter, replyRule } from './handler.rules.js';
import { RawPayloadPipe, withRawPayload } from './raw-payload.pipe.js';

type HandlerArgs = [HandshakeClient, unknown, InvocationMeta];
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

/**
 * What guards see as the class at the handshake (`context.getClass()`); its `handshake` method
 * is the handler. A global guard can tell a handshake from a message by it.
 * @example if (context.getClass() === ChannelsHandshake) return this.verifyHandshake(context);
 */
export class ChannelsHandshake {
  handshake(): boolean {
    return true;
  }
}

/**
 * Wraps gateway methods in Nest's own pipeline with `ExternalContextCreator`, so global,
 * class and method guards, interceptors, pipes and filters run as they do for HTTP. The
 * execution context's type is `'ws'`; `switchToWs().getClient()` is the connection (or, at the
 * handshake, the {@link HandshakeClient}) and `getData()` the payload.
 */
@Injectable()
export class PipelineFactory {
  private readonly validationPipe?: PipeTransform;

  constructor(
    private readonly contextCreator: ExternalContextCreator,
    @Inject(RESOLVED_OPTIONS) options: ResolvedChannelsOptions,
  ) {
    if (options.validation) {
      this.validationPipe = new RawPayloadPipe(
        new PayloadValidationPipe(options.validation, options.maxValidationDetails),
      );
    }
  }

  /** A gateway method as a pipeline handler. */
  forMethod(instance: object, methodName: string): PipelineHandler {
    const validated = this.defineArgs(instance, methodName);
    const method = (instance as Record<string, (...args: unknown[]) => unknown>)[methodName]!;
    const run = this.contextCreator.create(
      instance as Record<string, unknown>,
      withChannelsRules(instance, method),
      methodName,
      HANDLER_ARGS_METADATA,
      paramsFactory,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: true },
      CHANNELS_CONTEXT_TYPE,
    );
    // The raw payload is kept aside only where the module validates one.
    if (!validated) return (client, data, meta) => run(exposeRequest(client), data, meta);
    return (client, data, meta) =>
      withRawPayload(data, () => run(exposeRequest(client), data, meta));
  }

  /**
   * The handshake's guards (the `handshakeGuards` option, then the app's global guards, each
   * once), run against a handshake: `getRequest()` is the client's request view and
   * `getResponse()` a {@link HandshakeResponse}.
   */
  forHandshake(guards: CanActivate[]): PipelineHandler {
    const host = new ChannelsHandshake();
    // A function of its own per module: the guard list is this module's, not the class's.
    const callback = function handshake(): boolean {
      return true;
    };
    Reflect.defineMetadata(NEST_KEYS.guards, guards, callback);
    const run = this.contextCreator.create(
      host as unknown as Record<string, unknown>,
      callback,
      'handshake',
      undefined,
      undefined,
      undefined,
      undefined,
      { guards: true, interceptors: false, filters: false },
      CHANNELS_CONTEXT_TYPE,
    );
    return (client, _data, meta) => run(exposeRequest(client), new HandshakeResponse(), meta);
  }

  // The handler's own parameter metadata, with the payload validation pipe appended to
  // every payload parameter, stored under the module's key on the class declaring the method.
  // Returns whether any parameter gets the validation pipe.
  private defineArgs(instance: object, methodName: string): boolean {
    const host = declaringClass(instance, methodName);
    const args: ArgsMetadata = Reflect.getMetadata(ROUTE_ARGS_METADATA, host, methodName) ?? {};
    const withValidation: ArgsMetadata = {};
    let validated = false;
    for (const [key, entry] of Object.entries(args)) {
      const isPayload = key.split(':')[0] === String(ChannelsParamtype.PAYLOAD);
      const pipes = entry.pipes ?? [];
      validated ||= isPayload && this.validationPipe !== undefined;
      withValidation[key] =
        isPayload && this.validationPipe
          ? { ...entry, pipes: [...pipes, this.validationPipe] }
          : entry;
    }
    Reflect.defineMetadata(HANDLER_ARGS_METADATA, withValidation, host, methodName);
    return validated;
  }
}

// The method as Nest's pipeline sees it: the same metadata (guards, pipes, `SetMetadata`),
// plus the reply rule of Observables as its innermost interceptor and, when the handler has
// no filter of its own, the filter that leaves logging to the router. The user's method and
// its metadata are left untouched.
function withChannelsRules(
  instance: object,
  method: (...args: unknown[]) => unknown,
): (...args: unknown[]) => unknown {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    return method.apply(this, args);
  };
  Object.defineProperty(wrapped, 'name', { value: method.name });
  for (const key of Reflect.getMetadataKeys(method)) {
    Reflect.defineMetadata(key, Reflect.getMetadata(key, method), wrapped);
  }
  const interceptors: unknown[] = Reflect.getMetadata(NEST_KEYS.interceptors, method) ?? [];
  Reflect.defineMetadata(NEST_KEYS.interceptors, [...interceptors, replyRule], wrapped);
  const ownFilters =
    Reflect.getMetadata(NEST_KEYS.filters, method) ??
    Reflect.getMetadata(NEST_KEYS.filters, instance.constructor);
  if (!ownFilters?.length) Reflect.defineMetadata(NEST_KEYS.filters, [passThroughFilter], wrapped);
  return wrapped;
}

function declaringClass(instance: object, methodName: string): Function {
  for (let proto = Object.getPrototypeOf(instance); proto; proto = Object.getPrototypeOf(proto)) {
    if (Object.prototype.hasOwnProperty.call(proto, methodName)) return proto.constructor;
  }
  return instance.constructor;
}
