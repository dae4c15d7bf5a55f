import httpProxy from 'http-proxy';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A real reverse proxy on loopback (`http-proxy`, HTTP and WebSocket), which appends the
 * client's address to `X-Forwarded-For` as nginx's `$proxy_add_x_forwarded_for` does. Its
 * target can change (a deploy).
 */
export class ReverseProxy {
  private readonly upgraded = new Set<Duplex>();

  private constructor(
    private readonly server: Server,
    private readonly proxy: httpProxy,
    private target: string,
  ) {}

  static async start(target: string): Promise<ReverseProxy> {
    const proxy = httpProxy.createProxyServer({ xfwd: true, ws: true });
    proxy.on('error', (_error, _req, res) => {
      if ('writeHead' in res && !res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    const server = createServer();
    const instance = new ReverseProxy(server, proxy, target);
    server.on('request', (req, res) => proxy.web(req, res, { target: instance.target }));
    server.on('upgrade', (req, socket, head) => {
      instance.upgraded.add(socket);
      socket.once('close', () => instance.upgraded.delete(socket));
      proxy.ws(req, socket, head, { target: instance.target });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return instance;
  }

  /** The proxy's ws:// base URL. */
  get ws(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  retarget(target: string): void {
    this.target = target;
  }

  async stop(): Promise<void> {
    // An upgraded socket is no longer the server's connection: closeAllConnections() leaves it,
    // and close() would wait for it (a failed test would hang instead of failing).
    for (const socket of this.upgraded) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.proxy.close();
  }
}
