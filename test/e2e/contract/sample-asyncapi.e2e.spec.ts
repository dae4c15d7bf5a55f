import { Parser } from '@asyncapi/parser';
import { resolve } from 'node:path';
import { readSampleConfig } from '../../../sample/src/sample.config.js';
import { startSample, type RunningSample } from '../../../sample/src/sample.app.js';

type Json = Record<string, any>;

// SAMPLE.md: GET /asyncapi.json, generated from the sample's decorators and DTOs.
describe('the sample AsyncAPI document (GET /asyncapi.json)', () => {
  let sample: RunningSample;
  let doc: Json;
  let status: number;

  beforeAll(async () => {
    const config = readSampleConfig(
      { PORT: '0', SAMPLE_TOKEN_SECRET: 'contract-test-secret' },
      resolve('sample/public'),
    );
    sample = await startSample(config, false);
    const response = await fetch(new URL('asyncapi.json', sample.url));
    status = response.status;
    doc = (await response.json()) as Json;
  });
  afterAll(() => sample?.app.close());

  it('is valid AsyncAPI 3.0 for @asyncapi/parser: no errors, no warnings', async () => {
    expect(status).toBe(200);
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    const problems = diagnostics
      .filter((d) => d.severity <= 1)
      .map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`);
    expect(problems).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');
    expect(
      document!
        .channels()
        .all()
        .map((c) => c.address()),
    ).toEqual(expect.arrayContaining(['user:{userId}', 'broadcast']));
    expect(
      document!
        .operations()
        .all()
        .map((o) => o.id()),
    ).toEqual(expect.arrayContaining(['notifications.list', 'notifications.markRead']));
  });

  it('names the servers after the address the sample listens on, with the handshake security', () => {
    const host = new URL(sample.url).host;
    expect(doc.servers.websocket).toMatchObject({ host, pathname: '/channels', protocol: 'ws' });
    expect(doc.servers.sse).toMatchObject({ host, pathname: '/channels/sse', protocol: 'http' });
    expect(doc.servers.websocket.security).toContainEqual({
      $ref: '#/components/securitySchemes/bearer',
    });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('describes user:{userId} and broadcast with their parameters and pushes', () => {
    const user = doc.channels['user_userId'];
    expect(user.address).toBe('user:{userId}');
    expect(Object.keys(user.parameters)).toEqual(['userId']);
    const push = user.messages.notification.payload;
    expect(push.properties.event).toEqual({ type: 'string', const: 'notification' });
    expect(push.properties.data).toEqual({ $ref: '#/components/schemas/NotificationPush' });
    expect(push.required).toEqual(['channel', 'event', 'data', 'offset', 'epoch']);
    const notification = doc.components.schemas.NotificationPush;
    expect(notification.required).toEqual(
      expect.arrayContaining(['id', 'title', 'body', 'createdAt']),
    );
    expect(notification.properties.title).toMatchObject({ type: 'string' });

    const broadcast = doc.channels.broadcast;
    expect(broadcast.address).toBe('broadcast');
    expect(broadcast.parameters).toBeUndefined();
    expect(broadcast.messages.announcement.payload.properties.data).toEqual({
      $ref: '#/components/schemas/AnnouncementPush',
    });
    expect(doc.operations['user_userId.receive'].action).toBe('receive');
    expect(doc.operations['broadcast.receive'].messages).toEqual([
      { $ref: '#/channels/broadcast/messages/announcement' },
    ]);
  });

  it('describes notifications.markRead: ids are 1 to 100 non-empty strings; reply { unread }', () => {
    const operation = doc.operations['notifications.markRead'];
    expect(operation.action).toBe('send');
    const channel = doc.channels['commands.notifications.markRead'];
    const command = channel.messages.command.payload;
    expect(command.properties.event.const).toBe('notifications.markRead');
    expect(command.properties.data).toEqual({ $ref: '#/components/schemas/MarkReadDto' });
    const ids = doc.components.schemas.MarkReadDto.properties.ids;
    expect(ids).toMatchObject({ type: 'array', minItems: 1, maxItems: 100 });
    expect(ids.items).toMatchObject({ type: 'string', minLength: 1 });
    expect(doc.components.schemas.MarkReadDto.required).toEqual(['ids']);
    expect(channel.messages.reply.payload.properties.data).toEqual({
      $ref: '#/components/schemas/UnreadCountReply',
    });
    expect(doc.components.schemas.UnreadCountReply.properties.unread).toMatchObject({
      type: 'integer',
      minimum: 0,
    });
    expect(operation.reply.messages).toEqual([
      { $ref: '#/channels/commands.notifications.markRead/messages/reply' },
      { $ref: '#/channels/commands.notifications.markRead/messages/error' },
    ]);
  });

  it('describes notifications.list: no data; reply { items: [...], unread }', () => {
    const channel = doc.channels['commands.notifications.list'];
    expect(channel.messages.command.payload.required).toEqual(['event']);
    expect(channel.messages.reply.payload.properties.data).toEqual({
      $ref: '#/components/schemas/NotificationPageReply',
    });
    const page = doc.components.schemas.NotificationPageReply;
    expect(page.properties.items).toMatchObject({
      type: 'array',
      items: { $ref: '#/components/schemas/NotificationItem' },
    });
    expect(doc.components.schemas.NotificationItem.properties.read).toMatchObject({
      type: 'boolean',
    });
  });

  it('describes notifications.digest as a streamed reply: the stream channel, then string values, then the end', () => {
    const channel = doc.channels['commands.notifications.digest'];
    const reply = channel.messages.reply.payload;
    expect(reply.required).toEqual(['id', 'data', 'stream']);
    expect(reply.properties.stream.required).toEqual(['channel', 'epoch']);
    expect(reply.description).toMatch(/streamed reply/i);
    const { streamData, streamEnd, streamError } = channel.messages;
    expect(streamData.payload.properties.event.const).toBe('stream.data');
    expect(streamData.payload.properties.data).toMatchObject({ type: 'string' });
    expect(streamEnd.payload.properties.event.const).toBe('stream.end');
    expect(streamError.payload.properties.data.required).toEqual(['code', 'message']);
    expect(doc.operations['notifications.digest'].reply.messages).toEqual(
      ['reply', 'error', 'streamData', 'streamEnd', 'streamError'].map((key) => ({
        $ref: `#/channels/commands.notifications.digest/messages/${key}`,
      })),
    );
  });

  it('describes the error frame, with every stable code, on every command', () => {
    const error = doc.components.messages.error.payload;
    expect(error.required).toEqual(['error']);
    expect(error.properties.error.properties.code.enum).toEqual(
      expect.arrayContaining(['VALIDATION_FAILED', 'FORBIDDEN', 'UNKNOWN_EVENT', 'INTERNAL']),
    );
    expect(error.properties.error.properties.details.items.required).toEqual([
      'property',
      'messages',
    ]);
    for (const [id, channel] of Object.entries(doc.channels as Record<string, Json>)) {
      if (id.startsWith('commands.'))
        expect(channel.messages.error).toEqual({ $ref: '#/components/messages/error' });
    }
  });
});
