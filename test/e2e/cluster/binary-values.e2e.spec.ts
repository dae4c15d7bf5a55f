import type { INestApplication } from '@nestjs/common';
import { ChannelsModule, ChannelsService } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { TestClient } from '../../support/ws-client.js';
import { WireGateway } from '../protocol/wire.gateway.js';

// Byte arrays cross nodes through Redis (and sit in its history) as { $binary }, and reach
// each subscriber in its own encoding: bytes on MessagePack, { $binary } on JSON.
describe('binary values on two nodes through Redis', () => {
  let redis: RedisServer;
  const nodes: Array<{ app: INestApplication; ws: string }> = [];
  const clients: TestClient[] = [];
  const bytes = Buffer.from([0, 1, 2, 250, 255]);

  beforeAll(async () => {
    redis = await startRedisServer();
    for (let i = 0; i < 2; i++) {
      nodes.push(
        await startApp({
          imports: [ChannelsModule.forRoot({ stores: { redis: { url: redis.url } } })],
          providers: [WireGateway],
        }),
      );
    }
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    for (const node of nodes) await node.app.close();
    await redis?.stop();
  });

  async function connect(node: number, protocol: string) {
    const { client } = await TestClient.connect(`${nodes[node]!.ws}/channels`, {
      protocols: [protocol],
    });
    clients.push(client);
    return client;
  }

  it('publishes bytes on one node and delivers them live and from history on the other', async () => {
    const msgpack = await connect(1, 'channels.v1.msgpack');
    const json = await connect(1, 'channels.v1');
    for (const c of [msgpack, json]) await c.request('subscribe', { channel: 'feed:x' });
    const first = await nodes[0]!.app.get(ChannelsService).publish('feed:x', 'file', { bytes });
    const [packed, text] = await Promise.all(
      [msgpack, json].map((c) => c.next((f) => f.channel === 'feed:x')),
    );
    expect(Buffer.isBuffer(packed.data.bytes) && packed.data.bytes.equals(bytes)).toBe(true);
    expect(text.data).toEqual({ bytes: { $binary: bytes.toString('base64') } });

    // Recovery reads Redis history: the replayed push holds bytes too.
    await nodes[0]!.app
      .get(ChannelsService)
      .publish('feed:x', 'file', { bytes: bytes.subarray(1) });
    const late = await connect(1, 'channels.v1.msgpack');
    const reply = await late.request('subscribe', {
      channel: 'feed:x',
      since: { epoch: first.epoch, offset: first.offset - 1 },
    });
    expect(reply.data.recovered).toBe(true);
    expect(reply.data.missed.map((p: { data: { bytes: Buffer } }) => [...p.data.bytes])).toEqual([
      [...bytes],
      [...bytes.subarray(1)],
    ]);
  });
});
