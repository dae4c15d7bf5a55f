import { TraceFlags, isSpanContextValid, type SpanContext } from '@opentelemetry/api';
import type { TraceCarrier } from '../brokers/broker.message.js';

/**
 * A span context as a W3C `traceparent` carrier, written without a global propagator so that
 * the deliveries link up whatever propagators the app has registered.
 * @example toCarrier(span.spanContext()) // { traceparent: '00-4bf9...-00f0...-01' }
 */
export function toCarrier(context: SpanContext): TraceCarrier {
  const flags = (context.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return { traceparent: `00-${context.traceId}-${context.spanId}-${flags}` };
}

/**
 * The remote span context of a carrier; `undefined` when it holds no valid `traceparent` (a
 * carrier comes from another node, through the broker: it is checked, not trusted).
 * @example fromCarrier({ traceparent: '00-4bf9...-00f0...-01' })?.traceId
 */
export function fromCarrier(carrier: TraceCarrier): SpanContext | undefined {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(carrier.traceparent ?? '');
  if (!match) return undefined;
  const context: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: parseInt(match[3]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(context) ? context : undefined;
}
