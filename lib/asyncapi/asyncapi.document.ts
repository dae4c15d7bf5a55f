import type { JsonSchema } from '../contract/schema.source.js';
import type { AsyncApiDocument, AsyncApiInfo } from './asyncapi.options.js';
import { streamMessages } from './stream.schemas.js';
import {
  commandFrame,
  ERROR_FRAME,
  pushFrame,
  replyFrame,
  SUBSCRIBE_DATA,
  SUBSCRIBE_REPLY,
  UNSUBSCRIBE_DATA,
  UNSUBSCRIBE_REPLY,
  WELCOME_FRAME,
} from './frame.schemas.js';
import type { CommandEntry, GatewayContract } from './gateway.reader.js';
import type { HandshakeSecurity } from './handshake.security.js';
import type { SchemaRegistry } from './schema.registry.js';

type Json = Record<string, unknown>;

const ERROR_REF = { $ref: '#/components/messages/error' };
const ref = (...path: string[]): Json => ({ $ref: `#/${path.join('/')}` });

/**
 * What the document says besides the gateways: its `info`, where the servers are, and the
 * handshake's security (none: nothing guards the handshake).
 */
export interface DocumentSettings {
  info?: AsyncApiInfo;
  channelsPath: string;
  host: string;
  secure: boolean;
  security?: HandshakeSecurity;
}

/**
 * Builds the AsyncAPI 3.0 document of what the gateways declare: one channel per `@OnJoin`
 * pattern with its parameters and pushes, one per command with its payload, reply and error
 * frame, the connection's welcome and error frames, and the handshake's security schemes.
 */
export function buildAsyncApiDocument(
  contract: GatewayContract,
  schemas: SchemaRegistry,
  options: DocumentSettings,
): AsyncApiDocument {
  const channels: Record<string, Json> = {};
  const operations: Record<string, Json> = {};

  channels.connection = {
    address: null,
    title: 'The connection',
    description: `The first frame of every connection is the welcome; an error frame without id answers what no command id can carry. Protocol: docs/protocol.md.`,
    messages: { welcome: ref('components', 'messages', 'welcome'), error: ERROR_REF },
  };
  operations.connected = {
    action: 'receive',
    title: 'Welcome',
    channel: ref('channels', 'connection'),
    messages: [ref('channels', 'connection', 'messages', 'welcome')],
  };
  operations.error = {
    action: 'receive',
    title: 'Error without a command',
    channel: ref('channels', 'connection'),
    messages: [ref('channels', 'connection', 'messages', 'error')],
  };

  for (const entry of contract.channels) {
    const id = uniqueId(channels, safeId(entry.pattern));
    const names = [...entry.pattern.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
    const described = entry.definition?.parameters as
      Record<string, string | undefined> | undefined;
    const pushes = Object.entries(entry.definition?.pushes ?? {});
    const messages: Record<string, Json> = {};
    for (const [event, source] of pushes) {
      messages[uniqueId(messages, safeId(event))] = {
        name: event,
        title: `${event} push`,
        payload: pushFrame(entry.pattern, event, schemas.schemaOf(source)),
      };
    }
    channels[id] = {
      address: entry.pattern,
      title: entry.pattern,
      description:
        entry.definition?.description ??
        `Subscribe with the \`subscribe\` command; ${entry.handler} authorizes each join.` +
          (pushes.length === 0 ? ' Its pushes are not declared (use defineChannel).' : ''),
      ...(names.length > 0
        ? {
            parameters: Object.fromEntries(
              names.map((name) => [
                name,
                { description: described?.[name] ?? `One segment of [A-Za-z0-9_\\-.@#=].` },
              ]),
            ),
          }
        : {}),
      messages,
      // What a subscriber that falls behind gets (docs/protocol.md, "Delivery under backpressure").
      'x-delivery': entry.delivery ?? 'all',
      // Whether a subscriber may ask for Fossil delta pushes (docs/protocol.md, "Delta pushes").
      'x-delta': entry.delta === true ? ['fossil'] : [],
    };
    operations[`${id}.receive`] = {
      action: 'receive',
      title: `Pushes on ${entry.pattern}`,
      channel: ref('channels', id),
      ...(pushes.length > 0
        ? { messages: Object.keys(messages).map((key) => ref('channels', id, 'messages', key)) }
        : {}),
    };
  }

  const builtIns: CommandEntry[] = [
    {
      event: 'subscribe',
      readsBody: 'whole',
      payload: SUBSCRIBE_DATA,
      reply: SUBSCRIBE_REPLY,
      handler: 'built-in',
      summary: 'Join a channel; replays what was missed since a position.',
    },
    {
      event: 'unsubscribe',
      readsBody: 'whole',
      payload: UNSUBSCRIBE_DATA,
      reply: UNSUBSCRIBE_REPLY,
      handler: 'built-in',
      summary: 'Leave a channel.',
    },
  ];
  for (const entry of [...builtIns, ...contract.commands]) {
    const builtIn = entry.handler === 'built-in';
    const data = builtIn ? (entry.payload as JsonSchema) : payloadSchema(entry, schemas);
    const reply = builtIn ? (entry.reply as JsonSchema) : replySchema(entry, schemas);
    const opId = uniqueId(operations, safeId(entry.event));
    const id = uniqueId(channels, `commands.${opId}`);
    const streamed = entry.stream ? streamMessages(entry.event, reply) : undefined;
    channels[id] = {
      address: null,
      title: `Command ${entry.event}`,
      messages: {
        command: {
          name: entry.event,
          title: `${entry.event} command`,
          payload: commandFrame(entry.event, data, builtIn || entry.payload !== undefined),
        },
        reply: {
          name: `${entry.event} reply`,
          title: `${entry.event} reply`,
          payload: streamed ? streamed.reply : replyFrame(reply),
        },
        error: ERROR_REF,
        ...streamed?.pushes,
      },
    };
    operations[opId] = {
      action: 'send',
      title: entry.event,
      ...(entry.summary ? { summary: entry.summary } : {}),
      ...(entry.description ? { description: entry.description } : {}),
      channel: ref('channels', id),
      messages: [ref('channels', id, 'messages', 'command')],
      reply: {
        channel: ref('channels', id),
        messages: [
          ref('channels', id, 'messages', 'reply'),
          ref('channels', id, 'messages', 'error'),
          ...Object.keys(streamed?.pushes ?? {}).map((key) => ref('channels', id, 'messages', key)),
        ],
      },
    };
  }

  const security = options.security;
  const listed = (ids: string[] | undefined) =>
    ids ? { security: ids.map((id) => ref('components', 'securitySchemes', id)) } : {};
  const host = options.host;
  return {
    asyncapi: '3.0.0',
    info: {
      title: options.info?.title ?? 'Channels API',
      version: options.info?.version ?? '1.0.0',
      ...(options.info?.description ? { description: options.info.description } : {}),
    },
    defaultContentType: 'application/json',
    servers: {
      websocket: {
        host,
        pathname: options.channelsPath,
        protocol: options.secure ? 'wss' : 'ws',
        title: 'WebSocket',
        description: WEBSOCKET_ENCODINGS,
        'x-channels-encodings': ENCODINGS,
        ...listed(security?.websocket),
      },
      sse: {
        host,
        pathname: `${options.channelsPath}/sse`,
        protocol: options.secure ? 'https' : 'http',
        title: 'SSE fallback',
        description: `Pushes on GET ${options.channelsPath}/sse (text/event-stream), commands as POST ${options.channelsPath}/messages.`,
        ...listed(security?.sse),
      },
    },
    channels,
    operations,
    components: {
      schemas: schemas.used,
      messages: {
        error: { name: 'error', title: 'Error frame', payload: ERROR_FRAME },
        welcome: { name: 'connected', title: 'Welcome frame', payload: WELCOME_FRAME },
      },
      ...(security ? { securitySchemes: security.schemes } : {}),
    },
  };
}

// The encodings a WebSocket client chooses between with its subprotocol (docs/protocol.md,
// "Binary frames and compression"); SSE is JSON.
const ENCODINGS = [
  { subprotocol: 'channels.v1', contentType: 'application/json' },
  { subprotocol: 'channels.v1.msgpack', contentType: 'application/msgpack' },
];
const WEBSOCKET_ENCODINGS =
  'Frames as JSON text (subprotocol channels.v1, the default) or as MessagePack in binary messages ' +
  '(subprotocol channels.v1.msgpack), one encoding per connection; byte arrays in data are ' +
  'MessagePack bin values, or { "$binary": "<base64>" } in JSON. permessage-deflate when the ' +
  'server enables it.';

function payloadSchema(entry: CommandEntry, schemas: SchemaRegistry): JsonSchema {
  if (entry.readsBody === 'none' && entry.payload === undefined)
    return { description: 'The handler reads no data.' };
  if (entry.readsBody === 'property')
    return {
      type: 'object',
      description: 'The handler reads single properties; the shape is not declared.',
    };
  return schemas.schemaOf(entry.payload);
}

function replySchema(entry: CommandEntry, schemas: SchemaRegistry): JsonSchema {
  if (entry.reply === undefined)
    return {
      description: 'Not declared: give @OnMessage a { reply } or a defineCommand definition.',
    };
  return schemas.schemaOf(entry.reply);
}

// Component-style keys: letters, digits, `.`, `-`, `_`.
function safeId(name: string): string {
  return name.replace(/[{}]/g, '').replace(/[^A-Za-z0-9._-]/g, '_') || '_';
}

function uniqueId(taken: Record<string, unknown>, id: string): string {
  let candidate = id;
  for (let n = 2; candidate in taken; n += 1) candidate = `${id}_${n}`;
  return candidate;
}
