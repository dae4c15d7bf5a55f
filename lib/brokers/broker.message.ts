import type { NodeStats } from '../connection/channels-event.types.js';
import type { ErrorFrame, PushFrame, ReplyFrame } from '../protocol/frames.js';

/**
 * Closes connections on every node: one by id, or every connection of a principal (by its
 * `principalKey`).
 * @example { type: 'disconnect', principalKey: 'alice', code: 4403, reason: 'banned' }
 */
export interface DisconnectControl {
  type: 'disconnect';
  connectionId?: string;
  principalKey?: string;
  code: number;
  reason: string;
}

/**
 * A `POST {path}/messages` command bound to an SSE stream that lives on another node: the
 * node that holds the stream runs it and answers with a {@link CommandResultControl}.
 * @example { type: 'command', requestId: 'r1', replyTo: 'node-b', connectionId: 'c1', principalKey: 'alice', body: '{"event":"ping"}' }
 */
export interface CommandControl {
  type: 'command';
  requestId: string;
  /** The node that waits for the answer. */
  replyTo: string;
  connectionId: string;
  /** The POST's principal, checked against the stream's. */
  principalKey: string | undefined;
  /** The command frame as the POST carried it. */
  body: string;
}

/**
 * The answer to a {@link CommandControl}: the reply or error frame, or none (a command
 * without `id` that succeeded).
 * @example { type: 'command-result', requestId: 'r1', to: 'node-b', frame: { id: 1, data: {} } }
 */
export interface CommandResultControl {
  type: 'command-result';
  requestId: string;
  to: string;
  frame: ReplyFrame | ErrorFrame | null;
}

/**
 * "Who holds SSE stream `connectionId` for this principal?", asked of every node before a
 * `POST` bound to a stream that is not on this node is forwarded (without its body); each node
 * answers with a {@link StreamLookupResultControl}.
 * @example { type: 'stream-lookup', requestId: 'r1', replyTo: 'node-b', connectionId: 'c1', principalKey: 'alice' }
 */
export interface StreamLookupControl {
  type: 'stream-lookup';
  requestId: string;
  /** The node that waits for the answers. */
  replyTo: string;
  connectionId: string;
  /** The POST's principal: a node holds the stream only for the stream's own principal. */
  principalKey: string | undefined;
}

/**
 * One node's answer to a {@link StreamLookupControl}: whether it holds the stream.
 * @example { type: 'stream-lookup-result', requestId: 'r1', to: 'node-b', holds: false }
 */
export interface StreamLookupResultControl {
  type: 'stream-lookup-result';
  requestId: string;
  to: string;
  holds: boolean;
}

/**
 * A node asks every other node for its counts (`ChannelsService.clusterStats()`); each answers
 * with a {@link StatsResultControl}. The module's dispatcher answers it.
 * @example { type: 'stats', requestId: 'r1', replyTo: 'node-a' }
 */
export interface StatsRequestControl {
  type: 'stats';
  requestId: string;
  /** The node that waits for the answers. */
  replyTo: string;
}

/**
 * One node's answer to a {@link StatsRequestControl}: its counts.
 * @example { type: 'stats-result', requestId: 'r1', to: 'node-a', stats: { node: 'node-b', connections: { websocket: 1, sse: 0 }, subscriptions: 1, channels: 1 } }
 */
export interface StatsResultControl {
  type: 'stats-result';
  requestId: string;
  to: string;
  stats: NodeStats;
}

/**
 * A publisher's trace context as W3C Trace Context headers (`traceparent`, `tracestate`),
 * carried with a push to the nodes that deliver it. Present only when a tracing integration
 * (`ChannelsTracingModule`) is on; a broker passes it along unread.
 * @example { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }
 */
export type TraceCarrier = Readonly<Record<string, string>>;

/**
 * A push on its way to every node's subscribers of its channel, except the connections named
 * in `except`.
 * @example { type: 'push', push: { channel: 'room:1', event: 'message', data: {}, offset: 7, epoch: 'k3J9' }, except: ['c1'] }
 */
export interface PushMessage {
  type: 'push';
  push: PushFrame;
  /** Connection ids that must not receive it (the sender, typically). */
  except?: readonly string[];
  /** `performance.now()` on the publishing node, for its round-trip measure. */
  sentAt?: number;
  /** The publisher's trace context, when tracing is on. */
  trace?: TraceCarrier;
}

/**
 * Streamed replies across nodes: `cancel` asks the node that runs a stream to cancel it (its
 * client unsubscribed on another node); `touch` tells every node that these stream channels
 * have a subscriber on the sender, so the node that runs them does not cancel them as idle.
 * @example { type: 'stream', action: 'touch', channels: ['stream:Yq3…'] }
 */
export interface StreamControl {
  type: 'stream';
  action: 'cancel' | 'touch';
  channels: string[];
}

/**
 * What travels between nodes besides pushes, through {@link Broker.publishControl}.
 * @example await broker.publishControl({ type: 'disconnect', principalKey: 'alice', code: 1000, reason: '' })
 */
export type ControlMessage =
  | DisconnectControl
  | CommandControl
  | CommandResultControl
  | StreamLookupControl
  | StreamLookupResultControl
  | StatsRequestControl
  | StatsResultControl
  | StreamControl;

/**
 * Everything a broker carries between nodes: the one union the module's dispatcher switches on.
 * @example broker.listen((message, from) => { if (message.type === 'push') deliver(message.push); });
 */
export type BrokerMessage = PushMessage | ControlMessage;
