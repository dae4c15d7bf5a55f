import type { Connection } from '../../../lib/index.js';
import { Inbox } from '../../client/support/client-harness.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { waitFor } from '../../support/wait.js';
import { deliveryOptions, PausableClient, startDeliveryApp } from './delivery-app.js';

const LIMIT = 256 * 1024;
const TEXT = 'x'.repeat(10_000);
const PUSHES = 500;

// Two nodes through one redis-server: pushes published on node A reach a reader on node B
// that stopped reading; its `drop` channel recovers from the Redis history after the gap.
describe('delivery policies on two nodes through Redis', () => {
  let redis: RedisServer;
  let nodes: Array<Awaited<ReturnType<typeof startDeliveryApp>>>;
  let reader: PausableClient | undefined;

  beforeAll(async () => {
    redis = await startRedisServer();
    const options = { ...deliveryOptions(LIMIT), stores: { redis: { url: redis.url } } };
    nodes = [await startDeliveryApp(options), await startDeliveryApp(options)];
  }, 60_000);
  afterAll(async () => {
    reader?.resume();
    reader?.client.close();
    for (const node of nodes ?? []) await node.app.close();
    await redis?.stop();
  });

  it.each(['websocket', 'sse'] as const)(
    'a %s reader on node B that stops reading gets the latest value and recovers after the gap',
    async (transport) => {
      const [a, b] = nodes;
      reader?.client.close();
      reader = new PausableClient(`${b!.http}/channels`, transport);
      await reader.client.connect();
      const connection = b!.service.getConnection(reader.client.connectionId!) as Connection;
      const latest = new Inbox<{ n: number }>();
      const dropped = new Inbox<{ n: number }>();
      const ticker = `ticker:${transport}`;
      const log = `log:${transport}`;
      await reader.client.subscribe(ticker, latest.handler);
      await reader.client.subscribe(log, dropped.handler);

      reader.pause();
      for (let n = 1; n <= PUSHES; n++) {
        await a!.service.publish(ticker, 'tick', { n, text: TEXT });
        await a!.service.publish(log, 'line', { n, text: TEXT });
      }
      // Node B received them all from Redis and fell behind on this reader.
      await waitFor(
        () => connection.bufferedBytes > LIMIT / 2,
        20_000,
        'the reader to fall behind',
      );
      reader.resume();

      await waitFor(() => latest.items.at(-1)?.n === PUSHES, 20_000, 'the latest tick');
      expect(latest.items.length).toBeLessThan(PUSHES);
      await dropped.count(PUSHES, 30_000);
      expect(dropped.items.map((item) => item.n)).toEqual(
        Array.from({ length: PUSHES }, (_, i) => i + 1),
      );
      expect(connection.closed).toBe(false);
      const skipped = b!.seen.filter(
        (e) => e.type === 'delivery.skipped' && e.connection === connection,
      );
      expect(skipped.map((e) => 'channel' in e && e.channel).sort()).toEqual(
        expect.arrayContaining([log, ticker]),
      );
    },
    90_000,
  );
});
