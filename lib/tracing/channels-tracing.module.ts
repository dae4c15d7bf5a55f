import { Module, type DynamicModule } from '@nestjs/common';
import {
  CHANNELS_TRACING_OPTIONS,
  type ChannelsTracingOptions,
} from './channels-tracing.options.js';
import { ChannelsTracing } from './channels.tracing.js';

/**
 * OpenTelemetry tracing of the channels module (see {@link ChannelsTracing} for the spans),
 * through `@opentelemetry/api`, an optional peer dependency: only an app that imports this
 * module needs it. The spans go to the tracer provider the app's OpenTelemetry SDK registers
 * (started before Nest, as the SDK's docs say). Across nodes the publish's context travels
 * with the push as a W3C `traceparent`, so each node's delivery joins the publisher's trace.
 *
 * @example
 * import { ChannelsTracingModule } from 'nestjs-channels/tracing';
 * @Module({ imports: [ChannelsModule.forRoot(), ChannelsTracingModule.forRoot()] })
 * export class AppModule {}
 */
@Module({})
export class ChannelsTracingModule {
  /** The module with `options` (all optional). */
  static forRoot(options: ChannelsTracingOptions = {}): DynamicModule {
    return {
      module: ChannelsTracingModule,
      providers: [{ provide: CHANNELS_TRACING_OPTIONS, useValue: options }, ChannelsTracing],
      exports: [ChannelsTracing],
    };
  }
}
