import type { INestApplication } from '@nestjs/common';
import { ChannelGateway, ChannelsModule, OnJoin, OnMessage } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { postCommand, RawSseClient } from '../../support/sse-client.js';

@ChannelGateway()
class EchoGateway {
  @OnJoin('room:{id}')
  join(): boolean {
    return true;
  }

  @OnMessage('echo')
  echo(): string {
    return 'handled';
  }
}

// A POST bound to an SSE stream on another node is run by the stream's node: with that node's
// own frame bounds, exactly as a POST made to it directly (it used to parse with the defaults).
describe('a command forwarded to the node of its SSE stream', () => {
  let redis: RedisServer;
  let strict: { app: INestApplication; http: string };
  let lenient: { app: INestApplication; http: string };

  const node = (maxDepth?: number) =>
    startApp({
      imports: [
        ChannelsModule.forRoot({
          stores: { redis: { url: redis.url } },
          limits: maxDepth === undefined ? {} : { frameLimits: { maxDepth } },
        }),
      ],
      providers: [EchoGateway],
    });

  beforeAll(async () => {
    redis = await startRedisServer();
    strict = await node(4);
    lenient = await node();
  });
  afterAll(async () => {
    await strict?.app.close();
    await lenient?.app.close();
    await redis?.stop();
  });

  const deep = { id: 1, event: 'echo', data: { a: { b: { c: { d: { e: 1 } } } } } };

  it('is refused by the bounds of the node that holds the stream', async () => {
    const { client, welcome } = await RawSseClient.connect(`${strict.http}/channels/sse`);
    try {
      const connectionId = welcome.json.connectionId as string;
      const direct = await postCommand(`${strict.http}/channels/messages`, deep, {
        'X-Channels-Connection': connectionId,
      });
      expect(direct.status).toBe(400);
      expect(direct.json.error).toMatchObject({ code: 'BAD_REQUEST' });
      // Through the other node, whose own bounds would let it through.
      const forwarded = await postCommand(`${lenient.http}/channels/messages`, deep, {
        'X-Channels-Connection': connectionId,
      });
      expect(forwarded.json).toEqual(direct.json);
      expect(forwarded.status).toBe(400);
      // A frame within the bounds is still run there.
      const shallow = await postCommand(
        `${lenient.http}/channels/messages`,
        { id: 2, event: 'echo' },
        { 'X-Channels-Connection': connectionId },
      );
      expect(shallow.json).toEqual({ id: 2, data: 'handled' });
    } finally {
      client.close();
    }
  });
});
