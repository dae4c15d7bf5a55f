// The tracer provider of the bench's tracing-on contender: the OpenTelemetry SDK recording
// every span and batching it to an exporter that drops it, so the cost measured is the
// module's spans and the SDK's bookkeeping, not an exporter's network.
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

class DroppingExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

/** A provider that samples and records every span. */
export function benchTracerProvider(): BasicTracerProvider {
  return new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new DroppingExporter())],
  });
}
