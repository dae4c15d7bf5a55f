import type { TracerProvider } from '@opentelemetry/api';

/** The DI token of {@link ChannelsTracingOptions}. */
export const CHANNELS_TRACING_OPTIONS = Symbol('CHANNELS_TRACING_OPTIONS');

/**
 * Options of `ChannelsTracingModule.forRoot()`, all optional.
 * @example ChannelsTracingModule.forRoot({ tracerName: 'notifications-realtime' })
 */
export interface ChannelsTracingOptions {
  /**
   * The tracer provider to take the tracer from.
   * @default the global one (`trace.getTracerProvider()`), which the app's OpenTelemetry SDK registers
   */
  tracerProvider?: TracerProvider;
  /**
   * The instrumentation name of the tracer.
   * @default 'nestjs-channels'
   */
  tracerName?: string;
}
