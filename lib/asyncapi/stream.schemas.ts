import type { JsonSchema } from '../contract/schema.source.js';
import { ErrorCode } from '../protocol/frames.js';
import { STREAM_CHANNEL_PREFIX, STREAM_EVENTS } from '../protocol/stream-channel.js';
import { pushFrame } from './frame.schemas.js';

const STREAM_ADDRESS = `${STREAM_CHANNEL_PREFIX}{stream}`;

/**
 * The messages of a command whose handler streams (docs/protocol.md, "Streamed replies"): the
 * reply that names the stream channel, then each value as a `stream.data` push of the reply's
 * schema, and the one last push, `stream.end` or `stream.error`.
 * @example const { reply, pushes } = streamMessages('notifications.digest', { type: 'string' });
 */
export function streamMessages(
  event: string,
  value: JsonSchema,
): {
  reply: JsonSchema;
  pushes: Record<string, { name: string; title: string; payload: JsonSchema }>;
} {
  const reply: JsonSchema = {
    type: 'object',
    description:
      'A streamed reply: the values arrive as pushes on the stream channel it names (the connection is already subscribed); resume it with subscribe + since, or an SSE cursor.',
    properties: {
      id: { type: 'integer', minimum: 1 },
      data: { type: 'null' },
      stream: {
        type: 'object',
        properties: {
          channel: { type: 'string', pattern: `^${STREAM_CHANNEL_PREFIX}` },
          epoch: { type: 'string' },
        },
        required: ['channel', 'epoch'],
      },
    },
    required: ['id', 'data', 'stream'],
  };
  const message = (name: string, title: string, data: JsonSchema) => ({
    name,
    title,
    payload: pushFrame(STREAM_ADDRESS, name, data),
  });
  return {
    reply,
    pushes: {
      streamData: message(STREAM_EVENTS.data, `${event}: one value`, value),
      streamEnd: message(STREAM_EVENTS.end, `${event}: the end`, { type: 'null' }),
      streamError: message(STREAM_EVENTS.error, `${event}: failed or cancelled`, {
        type: 'object',
        properties: {
          code: { type: 'string', enum: Object.values(ErrorCode) },
          message: { type: 'string' },
        },
        required: ['code', 'message'],
      }),
    },
  };
}
