// `npm run bench:redis-memory [-- <channels> <history.size> <data bytes>]`: what a channel's
// history costs in Redis, through the module's own publish path (ChannelsService.publish with
// `stores.redis`), on the bench's own redis-server: `used_memory` before and after filling
// <channels> channels (1000) to <history.size> pushes (100) of about <data bytes> (200) of
// JSON each, and the Redis connections one node holds. docs/deploy.md quotes it.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { ChannelsModule, ChannelsService } from '../lib/index.js';
import { startBenchRedis } from './redis.process.js';

const [channels = 1000, size = 100, bytes = 200] = process.argv.slice(2).map(Number);

const redis = await startBenchRedis();
const probe = new Redis(redis.url);
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await probe.info('memory'))![1]);

@Module({
  imports: [ChannelsModule.forRoot({ stores: { redis: { url: redis.url } }, history: { size } })],
})
class MemoryBenchModule {}

const app = await NestFactory.create(MemoryBenchModule, { logger: false });
await app.listen(0, '127.0.0.1');
try {
  const service = app.get(ChannelsService);
  // The probe's own connection is not the node's.
  const clients =
    String(await probe.client('LIST'))
      .trim()
      .split('\n').length - 1;
  const data = { text: 'x'.repeat(Math.max(0, bytes - '{"text":""}'.length)) };
  const before = await usedMemory();
  for (let c = 0; c < channels; c++) {
    const room = `room:${c}`;
    await Promise.all(
      Array.from({ length: size }, () => service.publish(room, 'message.new', data)),
    );
  }
  const grown = (await usedMemory()) - before;
  console.log(
    `${channels} channels x history.size ${size}, data ${JSON.stringify(data).length} B of JSON: ` +
      `${(grown / channels / 1024).toFixed(1)} KiB per channel, ${Math.round(grown / channels / size)} B per push kept; ` +
      `${clients} Redis connections for the node`,
  );
} finally {
  await app.close();
  probe.disconnect();
  await redis.stop();
}
