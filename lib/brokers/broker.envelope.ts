import { mayHoldBinary, reviveBinary, stringifyFrame } from '../protocol/binary-value.js';
import type { BrokerMessage, ControlMessage, PushMessage, TraceCarrier } from './broker.message.js';

/**
 * A push as the history keeps it and as it travels inside an envelope: the sending node, the
 * event and data, and, only where they apply, `except` and the send time.
 */
export interface PushBody {
  /** The node that published it. */
  n: string;
  /** Connection ids that must not receive it. */
  x?: readonly string[];
  /** `performance.now()` on the publishing node. */
  t?: number;
  /** The event. */
  e: string;
  /** The data. */
  d: unknown;
  /** The publisher's trace context (tracing on). */
  c?: TraceCarrier;
}

/**
 * A broker message as it left its node, and which node that was.
 * @example decodeEnvelope('room:1', text) // { node: 'n1', message: { type: 'push', push, except } }
 */
export interface Envelope {
  readonly node: string;
  readonly message: BrokerMessage;
}

/**
 * The body of a push (see {@link PushBody}), as JSON: what the Redis history stores and what a
 * push envelope carries after its position.
 * @example encodePushBody('n1', 'message', { text: 'hi' }) // '{"n":"n1","e":"message","d":{"text":"hi"}}'
 */
export function encodePushBody(
  node: string,
  event: string,
  data: unknown,
  except?: readonly string[],
  sentAt?: number,
  trace?: TraceCarrier,
): string {
  const body: PushBody = { n: node, e: event, d: data };
  if (except && except.length > 0) body.x = except;
  if (sentAt !== undefined) body.t = sentAt;
  if (trace !== undefined) body.c = trace;
  // Byte arrays cross nodes and sit in history as `{ "$binary": … }`, and come back as bytes.
  return stringifyFrame(body);
}

/**
 * Reads a push body; `undefined` for anything else.
 * @example decodePushBody('{"n":"n1","e":"message","d":1}')?.e // 'message'
 */
export function decodePushBody(json: string): PushBody | undefined {
  try {
    const body = JSON.parse(json) as PushBody;
    if (mayHoldBinary(json) && typeof body === 'object' && body !== null) reviveBinary(body);
    return typeof body === 'object' && body !== null && typeof body.e === 'string'
      ? body
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The one wire format between nodes. A push: `<offset>\n<epoch>\n<push body>` (its channel is
 * the topic it travels on, and a Lua script can build it around a body it stored); any other
 * message: `{"n":<node>,"m":<message>}` as JSON.
 * @example encodeEnvelope('n1', { type: 'disconnect', principalKey: 'alice', code: 1000, reason: '' })
 */
export function encodeEnvelope(node: string, message: BrokerMessage): string {
  if (message.type !== 'push') return JSON.stringify({ n: node, m: message });
  const { push, except, sentAt, trace } = message;
  const body = encodePushBody(node, push.event, push.data, except, sentAt, trace);
  return `${push.offset}\n${push.epoch}\n${body}`;
}

/**
 * Reads an envelope that arrived on the topic of `channel` (a push) or on the control topic
 * (`channel` undefined); `undefined` for anything malformed, which is dropped.
 * @example decodeEnvelope(undefined, '{"n":"n1","m":{"type":"stats","requestId":"r","replyTo":"n1"}}')
 */
export function decodeEnvelope(channel: string | undefined, text: string): Envelope | undefined {
  if (channel === undefined) return decodeControl(text);
  const first = text.indexOf('\n');
  const second = first < 0 ? -1 : text.indexOf('\n', first + 1);
  if (second < 0) return undefined;
  const offset = Number(text.slice(0, first));
  const epoch = text.slice(first + 1, second);
  const body = decodePushBody(text.slice(second + 1));
  if (!body || !Number.isSafeInteger(offset)) return undefined;
  const message: PushMessage = {
    type: 'push',
    push: { channel, event: body.e, data: body.d, offset, epoch },
  };
  if (body.x) message.except = body.x;
  if (typeof body.t === 'number') message.sentAt = body.t;
  if (typeof body.c === 'object' && body.c !== null) message.trace = body.c;
  return { node: body.n, message };
}

function decodeControl(text: string): Envelope | undefined {
  let parsed: { n?: unknown; m?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return undefined;
  }
  const { n, m } = parsed;
  if (typeof n !== 'string' || typeof m !== 'object' || m === null) return undefined;
  if (typeof (m as { type?: unknown }).type !== 'string' || (m as { type: string }).type === 'push')
    return undefined;
  return { node: n, message: m as ControlMessage };
}
