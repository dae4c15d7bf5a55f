import { Inject, Injectable, type CanActivate, type PipeTransform } from '@nestjs/common';
import { ExternalContextCreator, type ParamsFactory } from '@nestjs/core';
import {
  CHANNELS_CONTEXT_TYPE,
  ChannelsParamtype,
  HANDLER_ARGS_METADATA,
  ROUTE_ARGS_METADATA,
} from './gateway.constants.js';
import { CHANNELS_SETTINGS, type ChannelsSettings } from '../settings/channels.settings.js';
import { HandshakeResponse } from '../connection/handshake.response.js';
import { exposeRequest } from '../connection/request.view.js';
import type { HandshakeClient } from '../connection/handshake.js';
import { PayloadValidationPipe } from './payload-validation.pipe.js';
import type { InvocationMeta, PipelineHandler } from './handler.registry.js';
import { NEST_KEYS, passThroughFilter, replyRule } from './handler.rules.js';
import { RawPayloadPipe, withRawPayload } from './raw-payload.pipe.js';

type HandlerArgs = [HandshakeClient, unknown, InvocationMeta];
type ArgsMetadata = Record<string, { index: number; data?: unknown; pipes?: unknown[] }>;
/** Where a handler's arguments hold the client, and whether it is an argument of the module's. */
type HiddenClient = { index: number; hidden: boolean };

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
    @Inject(CHANNELS_SETTINGS) settings: ChannelsSettings,
  ) {
    if (settings.validation) {
      this.validationPipe = new RawPayloadPipe(
        new PayloadValidationPipe(settings.validation, settings.limits.maxValidationDetails),
      );
    }
  }

  /** A gateway method as a pipeline handler. */
  forMethod(instance: object, methodName: string): PipelineHandler {
    const method = (instance as Record<string, (...args: unknown[]) => unknown>)[methodName]!;
    const { validated, clientIndex } = this.defineArgs(instance, methodName, method);
    const run = this.contextCreator.create(
      instance as Record<string, unknown>,
      withChannelsRules(instance, method, clientIndex),
      methodName,
      HANDLER_ARGS_METADATA,
      paramsFactory,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: true },
      CHANNELS_CONTEXT_TYPE,
    );
    // The raw payload is kept aside only where the module validates one and another pipe (the
    // app's global ones, the class's or the method's, the parameter's own) runs before its
    // validation: elsewhere the value it gets is the raw payload. Keeping it costs an
    // AsyncLocalStorage run, whose hooks slow every promise of the process on Node 20.
    if (!validated) return (client, data, meta) => run(exposeRequest(client), data, meta);
    const ownPipes = hasOwnPipes(instance, method, validated);
    return (client, data, meta) =>
      ownPipes || this.hasGlobalPipes()
        ? withRawPayload(data, () => run(exposeRequest(client), data, meta))
        : run(exposeRequest(client), data, meta);
  }

  // The app's global guards (`useGlobalGuards`, `APP_GUARD`), read where Nest keeps them; when
  // that cannot be read, assume there are some.
  private globalGuardCount(): number {
    const guards = (
      this.contextCreator as unknown as {
        guardsContextCreator?: { config?: { getGlobalGuards?(): unknown[] } };
      }
    ).guardsContextCreator?.config?.getGlobalGuards?.();
    return guards === undefined ? 1 : guards.length;
  }

  // The app's global pipes (`useGlobalPipes`, `APP_PIPE`), read where Nest keeps them; when
  // that cannot be read, assume there are some (the raw payload is then always kept aside).
  private hasGlobalPipes(): boolean {
    const pipes = (
      this.contextCreator as unknown as {
        pipesContextCreator?: { config?: { getGlobalPipes?(): unknown[] } };
      }
    ).pipesContextCreator?.config?.getGlobalPipes?.();
    return pipes === undefined || pipes.length > 0;
  }

  /**
   * The handshake's guards (the `handshakeGuards` option, then the app's global guards, each
   * once), run against a handshake: `getRequest()` is the client's request view and
   * `getResponse()` a {@link HandshakeResponse}. Undefined when there is no guard to run.
   */
  forHandshake(guards: CanActivate[]): PipelineHandler | undefined {
    // No guard at all (none listed, no global one): nothing to run, on any handshake. Nest
    // reads the global guards when the pipeline is created, so this is the same answer.
    if (guards.length === 0 && this.globalGuardCount() === 0) return undefined;
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
  // Returns the handler's own parameter metadata when any parameter gets the validation pipe,
  // and where the handler's arguments hold the client (for the reply rule): a handler with
  // parameter decorators gets it in one more, hidden, argument past its own; one without gets
  // the raw arguments, the client first.
  private defineArgs(
    instance: object,
    methodName: string,
    method: (...args: unknown[]) => unknown,
  ): { validated: false | ArgsMetadata; clientIndex: HiddenClient } {
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
    const entries = Object.values(args);
    let clientIndex: HiddenClient = { index: 0, hidden: false };
    if (entries.length > 0) {
      const index = Math.max(method.length, ...entries.map((entry) => entry.index + 1));
      withValidation[`${ChannelsParamtype.CLIENT}:${index}`] = { index };
      clientIndex = { index, hidden: true };
    }
    Reflect.defineMetadata(HANDLER_ARGS_METADATA, withValidation, host, methodName);
    return { validated: validated && args, clientIndex };
  }
}

// The method as Nest's pipeline sees it: the same metadata (guards, pipes, `SetMetadata`),
// plus the reply rule of Observables as its innermost interceptor and, when the handler has
// no filter of its own, the filter that leaves logging to the router. The user's method and
// its metadata are left untouched.
function withChannelsRules(
  instance: object,
  method: (...args: unknown[]) => unknown,
  { index, hidden }: HiddenClient,
): (...args: unknown[]) => unknown {
  // The reply rule is applied here, not as an interceptor: an interceptor of its own would put
  // every command through Nest's rxjs interceptor chain, which costs most apps nothing else.
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const client = args[index] as HandshakeClient;
    if (hidden) args.length = index;
    return replyRule(method.apply(this, args), client);
  };
  Object.defineProperty(wrapped, 'name', { value: method.name });
  for (const key of Reflect.getMetadataKeys(method)) {
    Reflect.defineMetadata(key, Reflect.getMetadata(key, method), wrapped);
  }
  const ownFilters =
    Reflect.getMetadata(NEST_KEYS.filters, method) ??
    Reflect.getMetadata(NEST_KEYS.filters, instance.constructor);
  if (!ownFilters?.length) Reflect.defineMetadata(NEST_KEYS.filters, [passThroughFilter], wrapped);
  return wrapped;
}

// Whether a pipe of the handler's own (the class's, the method's, a payload parameter's) runs
// before the module's validation.
function hasOwnPipes(
  instance: object,
  method: (...args: unknown[]) => unknown,
  args: ArgsMetadata,
): boolean {
  const pipes = (target: object): boolean =>
    ((Reflect.getMetadata(NEST_KEYS.pipes, target) as unknown[] | undefined)?.length ?? 0) > 0;
  return (
    pipes(method) ||
    pipes(instance.constructor) ||
    Object.values(args).some((entry) => (entry.pipes?.length ?? 0) > 0)
  );
}

function declaringClass(instance: object, methodName: string): Function {
  for (let proto = Object.getPrototypeOf(instance); proto; proto = Object.getPrototypeOf(proto)) {
    if (Object.prototype.hasOwnProperty.call(proto, methodName)) return proto.constructor;
  }
  return instance.constructor;
}
