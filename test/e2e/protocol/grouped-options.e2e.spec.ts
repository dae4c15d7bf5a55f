import type { INestApplication } from '@nestjs/common';
import { ChannelGateway, ChannelsModule, OnJoin } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { TestClient } from '../../support/ws-client.js';

@ChannelGateway()
class RoomGateway {
  @OnJoin('room:{roomId}')
  join(): boolean {
    return true;
  }
}

// The options' sections reach the transports.
describe('grouped options', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const started = await startApp({
      imports: [
        ChannelsModule.forRoot({
          path: '/grouped',
          heartbeat: { intervalMs: 12_345 },
          limits: { maxSubscriptionsPerConnection: 1 },
          auth: { allowedOrigins: ['https://app.example.com'] },
        }),
      ],
      providers: [RoomGateway],
    });
    app = started.app;
    base = started.ws;
  });
  afterAll(() => app.close());

  it('announces heartbeat.intervalMs', async () => {
    const { client, welcome } = await TestClient.connect(`${base}/grouped`);
    expect(welcome.data.heartbeatMs).toBe(12_345);
    client.close();
  });

  it('caps subscriptions at limits.maxSubscriptionsPerConnection', async () => {
    const { client } = await TestClient.connect(`${base}/grouped`);
    expect(await client.request('subscribe', { channel: 'room:a' })).toMatchObject({ id: 1 });
    expect(await client.request('subscribe', { channel: 'room:b' })).toMatchObject({
      id: 2,
      error: { code: 'BAD_REQUEST' },
    });
    client.close();
  });

  it('checks origins against auth.allowedOrigins', async () => {
    await expect(
      TestClient.open(`${base}/grouped`, { origin: 'https://evil.example' }),
    ).rejects.toThrow('HTTP 403');
    const { client } = await TestClient.connect(`${base}/grouped`, {
      origin: 'https://app.example.com',
    });
    client.close();
  });
});
