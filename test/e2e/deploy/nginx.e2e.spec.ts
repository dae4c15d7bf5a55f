import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import {
  ChannelsClient,
  type ChannelsClientOptions,
  type StateChange,
} from '../../../lib/client/index.js';
import {
  ChannelGateway,
  ChannelsModule,
  ConnectedClient,
  OnJoin,
  OnMessage,
  type ChannelsModuleOptions,
  type Connection,
} from '../../../lib/index.js';
import { startNginx, type Nginx } from '../../support/nginx.js';
import { PublishController } from '../../support/publish.controller.js';
import { freePort } from '../../support/redis-server.js';
import { waitFor } from '../../support/wait.js';
import { deployNginx } from './deploy-doc.js';

@ChannelGateway()
class WhoGateway {
  @OnJoin('room:{name}')
  join(): boolean {
    return true;
  }

  @OnMessage('who')
  who(@ConnectedClient() client: Connection) {
    return { ip: client.handshake.ip, transport: client.transport };
  }
}

/** The app behind nginx: one hop trusted, as docs/deploy.md says. */
async function startBehindNginx(
  options: ChannelsModuleOptions = {},
  edit?: (config: string) => string,
): Promise<{ app: INestApplication; nginx: Nginx; url: string; plainUrl: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [ChannelsModule.forRoot(options)],
    providers: [WhoGateway],
    controllers: [PublishController],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  app.set('trust proxy', 1);
  await app.listen(0, '127.0.0.1');
  const appPort = (app.getHttpServer().address() as AddressInfo).port;
  const [port, plainPort] = [await freePort(), await freePort()];
  const config = deployNginx({ app: appPort, port, plainPort }, edit);
  try {
    const nginx = await startNginx(`${config.recommended}\n${config.withoutUpgrade}`, [
      port,
      plainPort,
    ]);
    return {
      app,
      nginx,
      url: `http://127.0.0.1:${port}`,
      plainUrl: `http://127.0.0.1:${plainPort}`,
    };
  } catch (error) {
    await app.close();
    throw error;
  }
}

// The client's WebSocket, from another loopback address than nginx's own: the app must see
// this one through X-Forwarded-For.
const CLIENT_ADDRESS = '127.0.0.2';
class WebSocketFromClientAddress extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, { localAddress: CLIENT_ADDRESS });
  }
}

describe('behind nginx, configured as docs/deploy.md says (a real nginx)', () => {
  let server: Awaited<ReturnType<typeof startBehindNginx>>;
  const clients: ChannelsClient[] = [];

  beforeAll(async () => {
    server = await startBehindNginx();
  }, 30_000);
  afterAll(async () => {
    clients.forEach((client) => client.close());
    await server?.nginx.stop();
    await server?.app.close();
  });

  const sdk = (url: string, options: Partial<ChannelsClientOptions> = {}) => {
    const client = new ChannelsClient({
      url: `${url}/channels`,
      WebSocket: WebSocketFromClientAddress,
      ...options,
    });
    const states: StateChange[] = [];
    client.on('state', (change) => states.push(change));
    clients.push(client);
    return { client, states };
  };

  // Publishes through nginx's `location /` (the app's own API) and waits for the push.
  const publishAndReceive = async (client: ChannelsClient, channel: string) => {
    const pushes: unknown[] = [];
    await client.subscribe(channel, (data) => void pushes.push(data));
    const response = await fetch(`${server.url}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel, event: 'note.new', data: { n: 1 } }),
    });
    expect(response.status).toBe(201);
    await waitFor(() => pushes.length > 0, 5_000, `the push on ${channel}`);
    return pushes;
  };

  it('WebSocket: the upgrade passes, pushes and commands flow, the client IP is the client', async () => {
    const { client } = sdk(server.url);
    await client.connect();
    expect(client.transport).toBe('websocket');
    expect(await publishAndReceive(client, 'room:ws')).toEqual([{ n: 1 }]);
    expect(await client.request('who')).toEqual({ ip: CLIENT_ADDRESS, transport: 'websocket' });
  });

  it('SSE: the stream is not buffered and POSTed commands pass', async () => {
    const { client } = sdk(server.url, { transports: ['sse'] });
    await client.connect();
    expect(client.transport).toBe('sse');
    expect(await publishAndReceive(client, 'room:sse')).toEqual([{ n: 1 }]);
    // The SSE requests come from fetch, from 127.0.0.1.
    expect(await client.request('who')).toEqual({ ip: '127.0.0.1', transport: 'sse' });
  });

  it('without the upgrade headers, the SDK falls back to SSE within seconds, and works', async () => {
    const { client, states } = sdk(server.plainUrl);
    const started = Date.now();
    await client.connect();
    const fallbackMs = Date.now() - started;
    expect(client.transport).toBe('sse');
    // WebSocket was tried first and failed (twice, by default) before SSE.
    expect(states.filter((s) => s.state === 'reconnecting').length).toBeGreaterThanOrEqual(1);
    expect(fallbackMs).toBeLessThan(10_000);
    expect(await publishAndReceive(client, 'room:plain')).toEqual([{ n: 1 }]);
    expect(await client.request('who')).toEqual({ ip: '127.0.0.1', transport: 'sse' });
    process.stdout.write(`nginx without upgrade headers: on SSE after ${fallbackMs} ms\n`);
  });

  it('a raw WebSocket through the location without upgrade headers is refused', async () => {
    const socket = new WebSocket(`${server.plainUrl.replace('http', 'ws')}/channels`);
    const outcome = await new Promise<string>((resolve) => {
      socket.once('open', () => resolve('open'));
      socket.once('error', (error) => resolve(error.message));
    });
    socket.terminate();
    expect(outcome).toMatch(/Unexpected server response/);
  });
});

// The guide's rule for timeouts: the heartbeats must come more often than nginx's
// proxy_read_timeout. Here the timeout is cut to 2 s (the guide's other lines as they are).
describe("nginx's proxy_read_timeout against the heartbeats", () => {
  const twoSeconds = (config: string) =>
    config.replace(/proxy_read_timeout \d+s;/, 'proxy_read_timeout 2s;');

  it.each(['websocket', 'sse'] as const)(
    '%s: heartbeats under the timeout keep a quiet connection; the default ones do not',
    async (transport) => {
      const quick = await startBehindNginx(
        { heartbeat: { intervalMs: 250 }, sse: { heartbeatMs: 250 } },
        twoSeconds,
      );
      const slow = await startBehindNginx({}, twoSeconds);
      const watched = [quick, slow].map((server) => {
        const client = new ChannelsClient({
          url: `${server.url}/channels`,
          WebSocket,
          transports: [transport],
        });
        const changes: StateChange[] = [];
        client.on('state', (change) => changes.push(change));
        return { client, changes };
      });
      try {
        await Promise.all(watched.map(({ client }) => client.connect()));
        await new Promise((r) => setTimeout(r, 4_500));
        const [kept, cut] = watched.map(({ changes }) =>
          changes.filter((c) => c.state === 'reconnecting'),
        );
        expect(kept).toEqual([]);
        expect(cut!.length).toBeGreaterThanOrEqual(1);
      } finally {
        watched.forEach(({ client }) => client.close());
        for (const server of [quick, slow]) {
          await server.nginx.stop();
          await server.app.close();
        }
      }
    },
    30_000,
  );
});
