import type { JsonSchema } from '../contract/schema.source.js';
import { CHANNEL_NAME_PATTERN } from '../protocol/channel-name.rule.js';
import { ErrorCode, PROTOCOL_VERSION } from '../protocol/frames.js';

// The wire frames of docs/protocol.md as JSON Schema: each message's payload is the whole
// frame, with the app's schema in its `data`.

const COMMAND_ID: JsonSchema = {
  type: 'integer',
  minimum: 1,
  description: 'With an id the server answers exactly once (a reply or an error frame).',
};

/** A command frame for `event` whose `data` is `data`. */
export function commandFrame(event: string, data: JsonSchema, dataRequired: boolean): JsonSchema {
  return {
    type: 'object',
    properties: { id: COMMAND_ID, event: { type: 'string', const: event }, data },
    required: dataRequired ? ['event', 'data'] : ['event'],
  };
}

/** A reply frame whose `data` is `data`. */
export function replyFrame(data: JsonSchema): JsonSchema {
  return {
    type: 'object',
    properties: { id: { type: 'integer', minimum: 1 }, data },
    required: ['id', 'data'],
  };
}

/** A push frame of `event` on a channel matching `address`, whose `data` is `data`. */
export function pushFrame(address: string, event: string, data: JsonSchema): JsonSchema {
  return {
    type: 'object',
    properties: {
      channel: { type: 'string', description: `A channel matching ${address}.` },
      event: { type: 'string', const: event },
      data,
      offset: {
        type: 'integer',
        minimum: 1,
        description: "Position in the channel's history: the previous push's plus one.",
      },
      epoch: { type: 'string', description: 'The history the offset belongs to.' },
    },
    required: ['channel', 'event', 'data', 'offset', 'epoch'],
  };
}

/** The error frame: the answer to a failed command, or an error tied to no command. */
export const ERROR_FRAME: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer', minimum: 1, description: 'The command it answers, when it had one.' },
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', enum: Object.values(ErrorCode) },
        message: { type: 'string' },
        details: {
          type: 'array',
          description: 'For VALIDATION_FAILED: one entry per field.',
          items: {
            type: 'object',
            properties: {
              property: { type: 'string' },
              messages: { type: 'array', items: { type: 'string' } },
            },
            required: ['property', 'messages'],
          },
        },
        retryAfterMs: { type: 'integer', minimum: 0, description: 'For RATE_LIMITED.' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

/** The welcome frame, the first a connection receives. */
export const WELCOME_FRAME: JsonSchema = {
  type: 'object',
  properties: {
    event: { type: 'string', const: 'connected' },
    data: {
      type: 'object',
      properties: {
        connectionId: { type: 'string' },
        heartbeatMs: { type: 'integer', minimum: 1 },
        protocol: { type: 'integer', const: PROTOCOL_VERSION },
      },
      required: ['connectionId', 'heartbeatMs', 'protocol'],
    },
  },
  required: ['event', 'data'],
};

const POSITION: JsonSchema = {
  type: 'object',
  properties: { epoch: { type: 'string' }, offset: { type: 'integer', minimum: 0 } },
  required: ['epoch', 'offset'],
};

/** `subscribe`'s data. */
export const SUBSCRIBE_DATA: JsonSchema = {
  type: 'object',
  properties: {
    channel: { type: 'string', pattern: CHANNEL_NAME_PATTERN.source },
    since: POSITION,
    delta: {
      type: 'string',
      enum: ['fossil'],
      description: "Ask for delta pushes (WebSocket; on channels whose x-delta lists 'fossil').",
    },
  },
  required: ['channel'],
};

/** `subscribe`'s reply data. */
export const SUBSCRIBE_REPLY: JsonSchema = {
  type: 'object',
  properties: {
    channel: { type: 'string' },
    offset: { type: 'integer', minimum: 0 },
    epoch: { type: 'string' },
    recovered: { type: 'boolean' },
    missed: { type: 'array', items: { type: 'object' }, description: 'Replayed push frames.' },
    delivery: {
      type: 'string',
      enum: ['all', 'latest', 'drop'],
      description:
        "The channel's delivery policy for a connection that falls behind (the channel's x-delivery).",
    },
    delta: {
      type: 'string',
      enum: ['fossil'],
      description: 'Present when deltas were asked for and the channel allows them.',
    },
  },
  required: ['channel', 'offset', 'epoch', 'recovered', 'missed'],
};

/** `unsubscribe`'s data. */
export const UNSUBSCRIBE_DATA: JsonSchema = {
  type: 'object',
  properties: { channel: { type: 'string' } },
  required: ['channel'],
};

/** `unsubscribe`'s reply data. */
export const UNSUBSCRIBE_REPLY: JsonSchema = {
  type: 'object',
  properties: { channel: { type: 'string' }, unsubscribed: { type: 'boolean' } },
  required: ['channel', 'unsubscribed'],
};
