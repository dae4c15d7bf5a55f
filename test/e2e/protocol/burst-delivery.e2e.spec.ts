import type { INestApplication } from '@nestjs/common';
import { ChannelGateway, ChannelsModule, ChannelsService, OnJoin } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { TestClient } from '../../support/ws-client.js';

@ChannelGateway()
class BurstGateway {
  @OnJoin('burst')
  join() {
    return true;
  }
}

// Writes of one tick are batched into one system call; a burst larger than the outbound
// limit must still reach a client that reads, in order, without a slow-consumer close.
describe('a burst of pushes in one tick', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const started = await startApp({
      imports: [ChannelsModule.forRoot({ maxBufferedBytes: 256 * 1024 })],
      providers: [BurstGateway],
    });
    app = started.app;
    url = `${started.ws}/channels`;
  });
  afterAll(() => app.close());

  it('delivers 1 MiB published without yielding to a 256 KiB buffer limit, in order', async () => {
    const clients = await Promise.all([TestClient.connect(url), TestClient.connect(url)]);
    for (const { client } of clients) await client.request('subscribe', { channel: 'burst' });
    const service = app.get(ChannelsService);
    const body = 'x'.repeat(1024);
    // No await between publishes that yields to I/O: all of it lands in one tick.
    await Promise.all(
      Array.from({ length: 1024 }, (_, n) => service.publish('burst', 'b', { n, body })),
    );
    for (const { client } of clients) {
      const offsets: number[] = [];
      while (offsets.length < 1024)
        offsets.push((await client.next((f) => f.channel === 'burst')).offset);
      expect(offsets).toEqual(Array.from({ length: 1024 }, (_, n) => n + 1));
      client.close();
      expect((await client.closed).code).toBe(1005);
    }
  });
});
