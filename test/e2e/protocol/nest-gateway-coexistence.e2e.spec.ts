import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WsAdapter } from '@nestjs/platform-ws';
import {
  MessageBody as NestMessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { ChannelGateway, ChannelsModule, MessageBody, OnMessage } from '../../../lib/index.js';
import { TestClient } from '../../support/ws-client.js';

@WebSocketGateway({ path: '/nest' })
class NestEchoGateway {
  @SubscribeMessage('echo')
  echo(@NestMessageBody() data: unknown) {
    return { event: 'echo', data };
  }
}

@ChannelGateway()
class ChannelsEchoGateway {
  @OnMessage('echo')
  echo(@MessageBody() data: unknown) {
    return data;
  }
}

describe("beside Nest's own WsAdapter gateways", () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ChannelsModule.forRoot({})],
      providers: [NestEchoGateway, ChannelsEchoGateway],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new WsAdapter(app));
    await app.listen(0, '127.0.0.1');
    base = `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  it('serves both endpoints on the same HTTP server', async () => {
    const { client } = await TestClient.connect(`${base}/channels`);
    expect(await client.request('echo', 'ours')).toEqual({ id: 1, data: 'ours' });

    const nest = new WebSocket(`${base}/nest`);
    await new Promise((resolve, reject) => nest.once('open', resolve).once('error', reject));
    const reply = new Promise((resolve) =>
      nest.once('message', (data) => resolve(JSON.parse(data.toString()))),
    );
    nest.send(JSON.stringify({ event: 'echo', data: 'theirs' }));
    expect(await reply).toEqual({ event: 'echo', data: 'theirs' });
    nest.close();
    client.close();
  });

  it('leaves unknown paths to the WsAdapter, which refuses them', async () => {
    const stray = new WebSocket(`${base}/elsewhere`);
    await expect(
      new Promise((resolve, reject) => stray.once('open', resolve).once('error', reject)),
    ).rejects.toThrow();
  });
});
