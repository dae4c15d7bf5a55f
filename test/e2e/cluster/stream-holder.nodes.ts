import type { INestApplication } from '@nestjs/common';
import { ChannelsModule, type ChannelsModuleOptions } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { RawSseClient } from '../../support/sse-client.js';
import { OpenGateway, TokenGuard } from '../security/gateways.js';

type Node = { app: INestApplication; http: string; ws: string };

/** Two nodes on one redis-server: `holder` holds Alice's SSE stream, `front` gets POSTs for it. */
export interface StreamHolderNodes {
  redis: RedisServer;
  holder: Node;
  front: Node;
  alice: { client: RawSseClient; id: string };
  close(): Promise<void>;
}

/**
 * Starts the two nodes (token auth at the handshake, the open gateway), each with `common` and
 * its own options, and opens Alice's stream on `holder` with `aliceHeaders`.
 * @example const nodes = await startStreamHolderNodes({ auth: { ... } }, {}, {}, { Authorization: 'Bearer user-alice' });
 */
export async function startStreamHolderNodes(
  common: ChannelsModuleOptions,
  holderOptions: ChannelsModuleOptions,
  frontOptions: ChannelsModuleOptions,
  aliceHeaders: Record<string, string>,
): Promise<StreamHolderNodes> {
  const redis = await startRedisServer();
  const node = (options: ChannelsModuleOptions) =>
    startApp({
      imports: [
        ChannelsModule.forRoot({
          stores: { redis: { url: redis.url } },
          ...common,
          auth: { handshakeGuards: [TokenGuard], ...common.auth },
          ...options,
        }),
      ],
      providers: [OpenGateway, TokenGuard],
    });
  const holder = await node(holderOptions);
  const front = await node(frontOptions);
  const { client, welcome } = await RawSseClient.connect(
    `${holder.http}/channels/sse`,
    aliceHeaders,
  );
  const alice = { client, id: welcome.json.connectionId as string };
  return {
    redis,
    holder,
    front,
    alice,
    async close() {
      alice.client.close();
      await front.app.close();
      await holder.app.close();
      await redis.stop();
    },
  };
}
