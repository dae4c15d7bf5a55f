import type { INestApplication, LoggerService } from '@nestjs/common';
import {
  ChannelGateway,
  ChannelsModule,
  ConnectedClient,
  OnMessage,
  type ChannelsModuleOptions,
  type Connection,
} from '../../../lib/index.js';
import { startApp, PLATFORMS, type Platform } from '../../support/app.js';
import { withConcurrency } from '../../support/wait.js';
import { TestClient } from '../../support/ws-client.js';
import { ReverseProxy } from './reverse-proxy.js';

@ChannelGateway()
class IpGateway {
  @OnMessage('ip')
  ip(@ConnectedClient() client: Connection): string | undefined {
    return client.handshake.ip;
  }
}

let platform: Platform = 'express';

async function start(
  options: ChannelsModuleOptions,
  trustProxy?: unknown,
  logger: LoggerService | false = false,
): Promise<{ app: INestApplication; http: string; ws: string }> {
  return startApp(
    { imports: [ChannelsModule.forRoot(options)], providers: [IpGateway] },
    { logger },
    { platform, trustProxy },
  );
}

// Connects and waits for the welcome; resolves with the close code instead when refused.
async function tryConnect(
  url: string,
  options: Parameters<typeof TestClient.open>[1],
): Promise<TestClient | number> {
  const client = await TestClient.open(url, options);
  const first = await Promise.race([client.next(), client.closed]);
  return 'code' in first && !('event' in first) ? first.code : client;
}

// The platform's own setting: Express's app.set('trust proxy', …), Fastify's trustProxy.
describe.each(PLATFORMS)(
  'client IPs on %s, through a real reverse proxy (its trust proxy setting)',
  (name) => {
    beforeAll(() => (platform = name));

    it('300 users with two tabs each behind one NAT address connect, and reconnect after a deploy, with the default limits', async () => {
      // One trusted hop. Fastify 5 trusts no peer for a hop count (it cannot check the peer).
      const oneHop = name === 'express' ? 1 : '127.0.0.1';
      let server = await start({}, oneHop);
      const proxy = await ReverseProxy.start(server.http);
      const NAT = '127.0.0.2';
      const tabs = 600;
      const connectAll = () =>
        withConcurrency(tabs, 50, (i) =>
          tryConnect(`${proxy.ws}/channels`, {
            localAddress: NAT,
            headers: { 'x-user': `u${i >> 1}` },
          }),
        );
      try {
        const first = await connectAll();
        expect(first.filter((c) => typeof c === 'number')).toEqual([]);
        // The server counts the office's address, as req.ip would say (one trusted hop).
        expect(await (first[0] as TestClient).request('ip', null)).toMatchObject({ data: NAT });
        // A deploy: the old server goes, every tab reconnects to the new one at once.
        const closed = first.map((c) => (c as TestClient).closed);
        await server.app.close();
        expect(new Set((await Promise.all(closed)).map((c) => c.code))).toEqual(new Set([1001]));
        server = await start({}, oneHop);
        proxy.retarget(server.http);
        const again = await connectAll();
        expect(again.filter((c) => typeof c === 'number')).toEqual([]);
        for (const client of again) (client as TestClient).socket.terminate();
      } finally {
        await proxy.stop();
        await server.app.close();
      }
    }, 120_000);

    it('tells apart users on different addresses through the proxy', async () => {
      const server = await start({ limits: { maxConnectionsPerIp: 1 } }, 'loopback');
      const proxy = await ReverseProxy.start(server.http);
      try {
        const clients = await Promise.all(
          [3, 4, 5].map((n) =>
            tryConnect(`${proxy.ws}/channels`, { localAddress: `127.0.0.${n}` }),
          ),
        );
        expect(clients.every((c) => c instanceof TestClient)).toBe(true);
        const ips = await Promise.all(clients.map((c) => (c as TestClient).request('ip', null)));
        expect(ips.map((f) => f.data)).toEqual(['127.0.0.3', '127.0.0.4', '127.0.0.5']);
        // A second tab on one of them is that address's second connection.
        expect(await tryConnect(`${proxy.ws}/channels`, { localAddress: '127.0.0.3' })).toBe(4429);
        for (const client of clients) (client as TestClient).socket.terminate();
      } finally {
        await proxy.stop();
        await server.app.close();
      }
    });

    it('without trust proxy, a spoofed X-Forwarded-For does not get round the per-IP cap', async () => {
      const warnings: string[] = [];
      const logger: LoggerService = {
        log: () => undefined,
        error: () => undefined,
        warn: (message: unknown) => void warnings.push(String(message)),
      };
      const server = await start({ limits: { maxConnectionsPerIp: 3 } }, undefined, logger);
      const proxy = await ReverseProxy.start(server.http);
      try {
        const direct = [];
        for (let i = 0; i < 5; i++) {
          direct.push(
            await tryConnect(`${server.ws}/channels`, {
              headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
            }),
          );
        }
        expect(direct.map((c) => (typeof c === 'number' ? c : 'welcome'))).toEqual([
          'welcome',
          'welcome',
          'welcome',
          4429,
          4429,
        ]);
        const client = direct[0] as TestClient;
        expect(await client.request('ip', null)).toMatchObject({ data: '127.0.0.1' });
        for (const c of direct) if (c instanceof TestClient) c.socket.terminate();
        // Through the proxy too: the untrusted proxy's address is what counts.
        const proxied = await tryConnect(`${proxy.ws}/channels`, {
          localAddress: '127.0.0.9',
          headers: { 'x-forwarded-for': '203.0.113.50' },
        });
        expect(await (proxied as TestClient).request('ip', null)).toMatchObject({
          data: '127.0.0.1',
        });
        (proxied as TestClient).socket.terminate();
        // Told once that a proxy is there and not trusted, however many requests show it.
        const told = warnings.filter((w) => w.includes('X-Forwarded-For'));
        expect(told).toHaveLength(1);
        // It names the setting of the platform in use.
        expect(told[0]).toContain(
          name === 'express'
            ? "app.set('trust proxy', …)"
            : 'new FastifyAdapter({ trustProxy: … })',
        );
      } finally {
        await proxy.stop();
        await server.app.close();
      }
    });
  },
);
