import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Attributes,
  type Tracer,
} from '@opentelemetry/api';
import { Broker } from '../brokers/broker.js';
import type { TraceCarrier } from '../brokers/broker.message.js';
import type { ChannelsEvent } from '../connection/channels-event.types.js';
import { ChannelsEvents } from '../connection/channels.events.js';
import { ChannelHub } from '../hub/channel.hub.js';
import type { PushTracing, TracedPublish } from '../hub/push.tracing.js';
import type { PushFrame } from '../protocol/frames.js';
import {
  CHANNELS_TRACING_OPTIONS,
  type ChannelsTracingOptions,
} from './channels-tracing.options.js';
import { fromCarrier, toCarrier } from './trace-parent.js';

/**
 * OpenTelemetry spans of the channels module, through `@opentelemetry/api` only (the app's SDK
 * exports them):
 * - `channels.handshake` for each handshake's outcome (`channels.result`: `ok` or the code);
 * - `channels.command` for each command, from its arrival to its answer (`channels.event`,
 *   `channels.channel`, `channels.result`);
 * - `channels.publish` (producer) for each publish, a child of the publisher's active span
 *   (an HTTP request's, say); its context travels with the push through the broker;
 * - `channels.deliver` (consumer), a child of that publish, once per push on each node that
 *   received it (never per connection), with `channels.delivered`: how many local subscribers
 *   it was written to.
 * Made by `ChannelsTracingModule`; not importing that module costs nothing.
 */
@Injectable()
export class ChannelsTracing implements PushTracing, OnModuleInit, OnModuleDestroy {
  private readonly tracer: Tracer;
  private readonly unsubscribe: Array<() => void> = [];
  private hub?: ChannelHub;

  constructor(
    private readonly events: ChannelsEvents,
    private readonly moduleRef: ModuleRef,
    private readonly broker: Broker,
    @Inject(CHANNELS_TRACING_OPTIONS) options: ChannelsTracingOptions,
  ) {
    const provider = options.tracerProvider ?? trace.getTracerProvider();
    this.tracer = provider.getTracer(options.tracerName ?? 'nestjs-channels');
  }

  onModuleInit(): void {
    this.hub = this.moduleRef.get(ChannelHub, { strict: false });
    this.hub.traceWith(this);
    this.unsubscribe.push(
      this.events.on('command.handled', (e) => this.command(e)),
      this.events.on('connection.opened', (e) =>
        this.handshake({ 'channels.transport': e.transport, 'channels.result': 'ok' }),
      ),
      this.events.on('handshake.refused', (e) =>
        this.handshake({ 'channels.transport': e.transport, 'channels.result': e.reason }),
      ),
    );
  }

  onModuleDestroy(): void {
    this.hub?.traceWith(undefined);
    for (const off of this.unsubscribe.splice(0)) off();
  }

  publishing(channel: string, event: string): TracedPublish {
    const span = this.tracer.startSpan(
      'channels.publish',
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'channels.channel': channel,
          'channels.event': event,
          'channels.node': this.broker.nodeId,
        },
      },
      context.active(),
    );
    return {
      carrier: toCarrier(span.spanContext()),
      settle: (push, error) => {
        if (push) span.setAttribute('channels.offset', push.offset);
        if (error !== undefined) failed(span, error);
        span.end();
      },
    };
  }

  delivered(push: PushFrame, carrier: TraceCarrier, delivered: number): void {
    const remote = fromCarrier(carrier);
    const parent = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
    const span = this.tracer.startSpan(
      'channels.deliver',
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'channels.channel': push.channel,
          'channels.event': push.event,
          'channels.offset': push.offset,
          'channels.node': this.broker.nodeId,
          'channels.delivered': delivered,
        },
      },
      parent,
    );
    span.end();
  }

  private command(e: Extract<ChannelsEvent, { type: 'command.handled' }>): void {
    const end = Date.now();
    const attributes: Attributes = {
      'channels.event': e.event ?? '(unparsed)',
      'channels.result': e.result,
      'channels.transport': e.connection.transport,
    };
    if (e.channel !== undefined) attributes['channels.channel'] = e.channel;
    const span = this.tracer.startSpan(
      'channels.command',
      { kind: SpanKind.SERVER, attributes, startTime: end - e.durationMs },
      ROOT_CONTEXT,
    );
    if (e.result !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: e.result });
    span.end(end);
  }

  private handshake(attributes: Attributes): void {
    const span = this.tracer.startSpan('channels.handshake', { kind: SpanKind.SERVER, attributes });
    if (attributes['channels.result'] !== 'ok')
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: String(attributes['channels.result']),
      });
    span.end();
  }
}

function failed(span: ReturnType<Tracer['startSpan']>, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  if (error instanceof Error) span.recordException(error);
}
