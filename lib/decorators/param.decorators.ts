import type { PipeTransform, Type } from '@nestjs/common';
import { ChannelsParamtype, ROUTE_ARGS_METADATA } from '../gateway/gateway.constants.js';

type ParamPipe = Type<PipeTransform> | PipeTransform;

function paramDecorator(type: number, data?: string, pipes: ParamPipe[] = []): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) return;
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key) ?? {};
    const entry = { index, data, pipes };
    Reflect.defineMetadata(
      ROUTE_ARGS_METADATA,
      { ...args, [`${type}:${index}`]: entry },
      target.constructor,
      key,
    );
  };
}

/**
 * Injects the {@link Connection} that sent the command or asked to join.
 * @example send(@ConnectedClient() client: Connection<User>) {}
 */
export function ConnectedClient(): ParameterDecorator {
  return paramDecorator(ChannelsParamtype.CLIENT);
}

/**
 * Injects the command's `data`, or one property of it. When its type is a class, it is
 * validated (see the `validation` option) before the handler runs. Extra pipes run after the
 * global, class and method pipes.
 * @example send(@MessageBody() dto: SendMessageDto, @MessageBody('roomId') roomId: string) {}
 */
export function MessageBody(property?: string, ...pipes: ParamPipe[]): ParameterDecorator;
export function MessageBody(...pipes: ParamPipe[]): ParameterDecorator;
export function MessageBody(
  propertyOrPipe?: string | ParamPipe,
  ...pipes: ParamPipe[]
): ParameterDecorator {
  return typeof propertyOrPipe === 'string' || propertyOrPipe === undefined
    ? paramDecorator(ChannelsParamtype.PAYLOAD, propertyOrPipe, pipes)
    : paramDecorator(ChannelsParamtype.PAYLOAD, undefined, [propertyOrPipe, ...pipes]);
}

/**
 * In an `@OnJoin` handler: one parameter of the matched pattern, or all of them as an object.
 * @example canJoin(@ChannelParam('roomId') roomId: string) {}
 */
export function ChannelParam(name?: string, ...pipes: ParamPipe[]): ParameterDecorator {
  return paramDecorator(ChannelsParamtype.CHANNEL_PARAM, name, pipes);
}

/**
 * In an `@OnJoin` handler: the full channel name being joined.
 * @example canJoin(@JoinedChannel() channel: string) {}
 */
export function JoinedChannel(): ParameterDecorator {
  return paramDecorator(ChannelsParamtype.CHANNEL);
}
