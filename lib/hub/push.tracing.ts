import type { TraceCarrier } from '../brokers/broker.message.js';
import type { PushFrame } from '../protocol/frames.js';

/** A publish being traced: the context to send with it, and how it ended. */
export interface TracedPublish {
  /** The trace context the broker carries to every node (`traceparent`, ...). */
  readonly carrier: TraceCarrier;
  /** Ends the publish span: with the sequenced push, or with the error the publish threw. */
  settle(push: PushFrame | undefined, error?: unknown): void;
}

/**
 * What a tracing integration hangs on the hub (`ChannelsTracingModule` sets one with
 * {@link ChannelHub.traceWith}): told of each publish in the publisher's own async context, and
 * of each push this node fanned out, once per push per node (never per connection). Without
 * one, the hub makes no call and carries no trace context.
 *
 * @example
 * hub.traceWith({
 *   publishing: (channel) => ({ carrier: {}, settle: () => undefined }),
 *   delivered: (push, carrier, count) => log(push.channel, count),
 * });
 */
export interface PushTracing {
  /** Called before the broker publishes (synchronously, in the caller's context). */
  publishing(channel: string, event: string): TracedPublish | undefined;
  /** Called after this node wrote a push that came with a trace context to `delivered` local subscribers. */
  delivered(push: PushFrame, carrier: TraceCarrier, delivered: number): void;
}
