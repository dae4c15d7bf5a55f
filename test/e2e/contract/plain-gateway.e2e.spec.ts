import { Parser } from '@asyncapi/parser';
import type { INestApplication } from '@nestjs/common';
import { IsString, MinLength } from 'class-validator';
import {
  ChannelGateway,
  ChannelsAsyncApiModule,
  ChannelsModule,
  ChannelsService,
  createAsyncApiDocument,
  defineChannel,
  defineCommand,
  MessageBody,
  OnJoin,
  OnMessage,
  shape,
  type AsyncApiDocument,
} from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { TestClient } from '../../support/ws-client.js';

// A gateway written before contracts existed: plain classes, string patterns, no replies
// declared, no guards. It gets a document with what can be known, and never a crash.
class PlainDto {
  text!: string;
}

@ChannelGateway()
class PlainGateway {
  @OnJoin('room:{roomId}')
  canJoinRoom(): boolean {
    return true;
  }

  @OnMessage('plain.send')
  send(@MessageBody() dto: PlainDto): { ok: boolean } {
    return { ok: dto !== undefined };
  }

  @OnMessage('plain.one')
  one(@MessageBody('text') text: string): string {
    return text;
  }

  @OnMessage('plain.none')
  none(): null {
    return null;
  }
}

// Next to it, a declared channel and command, used at runtime.
class ShoutDto {
  @IsString() @MinLength(2) text!: string;
}
const lobby = defineChannel('lobby:{floor}', { said: shape<{ text: string }>({ type: 'object' }) });
const shout = defineCommand('lobby.shout', { payload: ShoutDto, reply: shape<number>() });

@ChannelGateway()
class LobbyGateway {
  constructor(private readonly channels: ChannelsService) {}

  @OnJoin(lobby)
  canJoin(): boolean {
    return true;
  }

  @OnMessage(shout)
  async shout(@MessageBody() dto: ShoutDto): Promise<number> {
    const push = await this.channels.publish(lobby.to({ floor: '1' }), 'said', { text: dto.text });
    return push.offset;
  }
}

describe('a document for plain gateways, and declared contracts at runtime', () => {
  let app: INestApplication;
  let http: string;
  let ws: string;

  beforeAll(async () => {
    ({ app, http, ws } = await startApp({
      imports: [ChannelsModule.forRoot({ path: '/rt' }), ChannelsAsyncApiModule.forRoot()],
      providers: [PlainGateway, LobbyGateway],
    }));
  });
  afterAll(() => app.close());

  it('serves a valid document at the default path, describing what it can', async () => {
    const response = await fetch(`${http}/asyncapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as AsyncApiDocument & Record<string, any>;
    const { diagnostics } = await new Parser().parse(JSON.stringify(doc));
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => d.message)).toEqual([]);

    expect(doc.servers.websocket).toMatchObject({ pathname: '/rt', protocol: 'ws' });
    // Issue 23: the encodings a client chooses with its subprotocol.
    expect(doc.servers.websocket['x-channels-encodings']).toEqual([
      { subprotocol: 'channels.v1', contentType: 'application/json' },
      { subprotocol: 'channels.v1.msgpack', contentType: 'application/msgpack' },
    ]);
    // No guards on any gateway: the handshake asks for nothing.
    expect(doc.servers.websocket.security).toBeUndefined();
    const room = doc.channels['room_roomId'] as Record<string, any>;
    expect(room.address).toBe('room:{roomId}');
    expect(Object.keys(room.parameters)).toEqual(['roomId']);
    expect(room.messages).toEqual({});

    const send = doc.channels['commands.plain.send'] as Record<string, any>;
    expect(send.messages.command.payload.properties.data).toEqual({
      $ref: '#/components/schemas/PlainDto',
    });
    expect(doc.components.schemas.PlainDto).toMatchObject({ type: 'object', title: 'PlainDto' });
    expect(send.messages.reply.payload.properties.data.description).toMatch(/Not declared/);
    const one = doc.channels['commands.plain.one'] as Record<string, any>;
    expect(one.messages.command.payload.properties.data.type).toBe('object');
    const none = doc.channels['commands.plain.none'] as Record<string, any>;
    expect(none.messages.command.payload.required).toEqual(['event']);

    const shoutChannel = doc.channels['commands.lobby.shout'] as Record<string, any>;
    const shoutDto = doc.components.schemas.ShoutDto as Record<string, any>;
    expect(shoutDto.properties.text).toMatchObject({
      type: 'string',
      minLength: 2,
    });
    expect(shoutChannel.messages.command.payload.properties.data).toEqual({
      $ref: '#/components/schemas/ShoutDto',
    });
    expect(shoutChannel.messages.reply.payload.properties.data).toEqual({});
  });

  it('createAsyncApiDocument gives the same document without HTTP', async () => {
    const doc = await createAsyncApiDocument(app, { info: { title: 'Plain' }, host: 'h:1' });
    expect(doc.info).toEqual({ title: 'Plain', version: '1.0.0' });
    expect(doc.servers.sse).toMatchObject({ host: 'h:1', pathname: '/rt/sse' });
    expect(Object.keys(doc.operations)).toEqual(
      expect.arrayContaining(['plain.send', 'plain.one', 'plain.none', 'lobby.shout']),
    );
  });

  it('routes a command declared with defineCommand, validates it, and publishes on the typed channel', async () => {
    const { client } = await TestClient.connect(`${ws}/rt`);
    try {
      const subscribed = await client.request('subscribe', { channel: 'lobby:1' });
      expect(subscribed.data).toMatchObject({ channel: 'lobby:1' });
      const bad = await client.request('lobby.shout', { text: 'a' });
      expect(bad.error.code).toBe('VALIDATION_FAILED');
      const reply = await client.request('lobby.shout', { text: 'hey' });
      expect(reply.data).toBe(1);
      const push = await client.next((f) => f.channel === 'lobby:1');
      expect(push).toMatchObject({ event: 'said', data: { text: 'hey' }, offset: 1 });
    } finally {
      client.socket.close();
    }
  });

  it('refuses to make a channel name with a missing parameter', () => {
    expect(() => lobby.to({ floor: '' })).toThrow(TypeError);
  });
});
