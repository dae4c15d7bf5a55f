import type { PushFrame } from '../protocol/frames.js';

/**
 * The body of a push between nodes, without its position: the publishing node (`n`), the
 * connection ids it skips (`x`), when it was sent (`t`, meaningful to its sender only), the
 * event (`e`) and the data (`d`). The history script
 * stores it as is and prefixes the position when it publishes.
 */
interface PushBody {
  n: string;
  x?: readonly string[];
  /** When the publishing node sent it (its `performance.now()`), for its round-trip metric. */
  t?: number;
  e: string;
  d: unknown;
}

/**
 * A push as it travels between nodes: `<offset>\n<epoch>\n<body JSON>`. The offset and epoch
 * come first so that the Lua script that assigns them can build the message by concatenation.
 * @example decodePush('room:1', '7\nk3J9\n{"n":"a","e":"msg","d":1}')
 * // { push: { channel: 'room:1', event: 'msg', data: 1, offset: 7, epoch: 'k3J9' }, node: 'a', except: undefined }
 */
export interface DecodedPush {
  push: PushFrame;
  /** The node that published it. */
  node: string;
  except: readonly string[] | undefined;
  /** When its node sent it, on that node's `performance.now()` clock. */
  sentAt: number | undefined;
}

/** The body part of an envelope (what the script and the stream get). */
export function encodePushBody(
  node: string,
  event: string,
  data: unknown,
  except?: readonly string[],
  sentAt?: number,
): string {
  const body: PushBody = { n: node, e: event, d: data };
  if (except && except.length > 0) body.x = except;
  if (sentAt !== undefined) body.t = sentAt;
  return JSON.stringify(body);
}

/** A whole envelope, for a push whose position is known already. */
export function encodePush(
  node: string,
  push: PushFrame,
  except?: readonly string[],
  sentAt?: number,
): string {
  const body = encodePushBody(node, push.event, push.data, except, sentAt);
  return `${push.offset}\n${push.epoch}\n${body}`;
}

/**
 * Reads an envelope made by {@link encodePush} or the history script.
 * @returns undefined for a message that is no envelope (ignored by the caller)
 */
export function decodePush(channel: string, message: string): DecodedPush | undefined {
  const first = message.indexOf('\n');
  const second = first < 0 ? -1 : message.indexOf('\n', first + 1);
  if (second < 0) return undefined;
  const offset = Number(message.slice(0, first));
  const epoch = message.slice(first + 1, second);
  const body = decodePushBody(message.slice(second + 1));
  if (!body || !Number.isSafeInteger(offset)) return undefined;
  return {
    push: { channel, event: body.e, data: body.d, offset, epoch },
    node: body.n,
    except: body.x,
    sentAt: typeof body.t === 'number' ? body.t : undefined,
  };
}

/** Reads the body of an envelope (a stream entry). */
export function decodePushBody(json: string): PushBody | undefined {
  try {
    const body = JSON.parse(json) as PushBody;
    return typeof body === 'object' && body !== null && typeof body.e === 'string'
      ? body
      : undefined;
  } catch {
    return undefined;
  }
}
