import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ChannelGateway, ChannelsModule, ChannelsService, OnJoin } from 'nestjs-channels';
import { connectTestClient } from 'nestjs-channels/testing';

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

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ChannelsModule.forRoot({ limits: { maxBufferedBytes: 256 * 1024 } })],
      providers: [BurstGateway],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
  });
  afterAll(() => app.close());

  it('delivers 1 MiB published without yielding to a 256 KiB buffer limit, in order', async () => {
    const clients = await Promise.all([connectTestClient(app), connectTestClient(app)]);
    for (const client of clients) await client.subscribe('burst');
    const service = app.get(ChannelsService);
    const body = 'x'.repeat(1024);
    // No await between publishes that yields to I/O: all of it lands in one tick.
    await Promise.all(
      Array.from({ length: 1024 }, (_, n) => service.publish('burst', 'b', { n, body })),
    );
    for (const client of clients) {
      const offsets: number[] = [];
      while (offsets.length < 1024) offsets.push((await client.nextPush('burst')).offset);
      expect(offsets).toEqual(Array.from({ length: 1024 }, (_, n) => n + 1));
      await client.close();
      expect(client.closed?.code).toBe(1000);
    }
  });
});
