import type { INestApplication, LoggerService, NestApplicationOptions } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createPlatformApp, PLATFORMS, type PlatformOptions } from '../../support/app.js';
import type { AddressInfo } from 'node:net';
import { ChannelsModule, type ChannelsModuleOptions } from '../../../lib/index.js';
import { postCommand, RawSseClient } from '../../support/sse-client.js';
import { TestClient } from '../../support/ws-client.js';
import { ReverseProxy } from '../proxy/reverse-proxy.js';
import { OpenGateway } from './gateways.js';

// Cross-site WebSocket hijacking and its SSE and POST twins: with the module's defaults a page
// on another site is refused on all three endpoints, a page of the app itself and a client
// that sends no Origin are served, and `auth.allowedOrigins` (or the app's enableCors
// origins) admits the listed ones.

interface Started {
  app: INestApplication;
  http: string;
  port: number;
}

async function start(
  options: ChannelsModuleOptions = {},
  setUp: (app: INestApplication) => void = () => undefined,
  appOptions: NestApplicationOptions = {},
  platform: PlatformOptions = {},
): Promise<Started> {
  const moduleRef = await Test.createTestingModule({
    imports: [ChannelsModule.forRoot(options)],
    providers: [OpenGateway],
  }).compile();
  const app = await createPlatformApp(moduleRef, appOptions, platform);
  setUp(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, http: `http://127.0.0.1:${port}`, port };
}

/** What each endpoint answered one request with these headers: 101 for an open socket. */
async function probe(
  base: string,
  headers: Record<string, string>,
): Promise<{ ws: number; sse: number; post: number }> {
  const ws = await TestClient.open(`${base.replace('http', 'ws')}/channels`, { headers }).then(
    (client) => (client.socket.terminate(), 101),
    (error: Error) => Number(/HTTP (\d+)/.exec(error.message)?.[1] ?? 0),
  );
  const stream = await RawSseClient.open(`${base}/channels/sse`, headers);
  stream.close();
  const answer = await postCommand(
    `${base}/channels/messages`,
    { id: 1, event: 'echo', data: 1 },
    headers,
  );
  return { ws, sse: stream.status, post: answer.status };
}

const SERVED = { ws: 101, sse: 200, post: 200 };
const REFUSED = { ws: 403, sse: 403, post: 403 };

describe('Origin: same-origin by default on WebSocket, SSE and POST', () => {
  let server: Started;
  beforeAll(async () => (server = await start()));
  afterAll(() => server.app.close());

  it('refuses a foreign Origin on all three, with HTTP 403 and no socket or stream', async () => {
    expect(await probe(server.http, { Origin: 'https://evil.example' })).toEqual(REFUSED);
    expect(await probe(server.http, { Origin: 'null' })).toEqual(REFUSED);
    // Same address, another port, or another name for it: another origin.
    const otherPort = `http://127.0.0.1:${server.port + 1}`;
    expect(await probe(server.http, { Origin: otherPort })).toEqual(REFUSED);
    expect(await probe(server.http, { Origin: `http://localhost:${server.port}` })).toEqual(
      REFUSED,
    );
  });

  it('answers the refused POST before reading its body, with a JSON error', async () => {
    const answer = await postCommand(`${server.http}/channels/messages`, 'not even JSON', {
      Origin: 'https://evil.example',
    });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({
      error: { code: 'FORBIDDEN', message: 'This origin is not allowed.' },
    });
  });

  it('serves a client that sends no Origin, and a page of the app itself', async () => {
    expect(await probe(server.http, {})).toEqual(SERVED);
    expect(await probe(server.http, { Origin: server.http })).toEqual(SERVED);
    // A plain socket may sit behind a TLS-terminating proxy: the https page of the same
    // host and port is the app's own too.
    expect(await probe(server.http, { Origin: `https://127.0.0.1:${server.port}` })).toEqual(
      SERVED,
    );
  });
});

describe('Origin: auth.allowedOrigins, one list for the three endpoints', () => {
  let server: Started;
  beforeAll(
    async () => (server = await start({ auth: { allowedOrigins: ['https://app.example'] } })),
  );
  afterAll(() => server.app.close());

  it('admits the listed origin on all three, and still refuses the others', async () => {
    expect(await probe(server.http, { Origin: 'https://app.example' })).toEqual(SERVED);
    expect(await probe(server.http, { Origin: 'https://evil.example' })).toEqual(REFUSED);
    expect(await probe(server.http, { Origin: server.http })).toEqual(SERVED);
  });
});

describe("Origin: the app's enableCors origins, when allowedOrigins is not set", () => {
  const warnings: string[] = [];
  const logger: LoggerService = {
    log: () => undefined,
    error: () => undefined,
    warn: (message: unknown) => void warnings.push(String(message)),
  };
  const servers: Started[] = [];
  beforeEach(() => (warnings.length = 0));
  afterAll(() => Promise.all(servers.map((s) => s.app.close())));
  const startWith = async (...args: Parameters<typeof start>) => {
    const started = await start(...args);
    servers.push(started);
    return started;
  };

  it('takes the exact origins of app.enableCors(), with its credentials for SSE CORS', async () => {
    const server = await startWith(
      {},
      (app) => app.enableCors({ origin: ['https://cors.example'], credentials: true }),
      { logger },
    );
    expect(await probe(server.http, { Origin: 'https://cors.example' })).toEqual(SERVED);
    expect(await probe(server.http, { Origin: 'https://evil.example' })).toEqual(REFUSED);
    const stream = await RawSseClient.open(`${server.http}/channels/sse`, {
      Origin: 'https://cors.example',
    });
    stream.close();
    expect(stream.headers['access-control-allow-origin']).toBe('https://cors.example');
    expect(stream.headers['access-control-allow-credentials']).toBe('true');
    expect(warnings).toEqual([]);
  });

  it('takes the cors option of the app itself too', async () => {
    const server = await startWith({}, undefined, {
      logger,
      cors: { origin: 'https://create.example' },
    });
    expect(await probe(server.http, { Origin: 'https://create.example' })).toEqual(SERVED);
    expect(await probe(server.http, { Origin: 'https://evil.example' })).toEqual(REFUSED);
  });

  it('stays same-origin, and says so once, when enableCors() allows every origin', async () => {
    const server = await startWith({}, (app) => app.enableCors(), { logger });
    expect(await probe(server.http, { Origin: 'https://evil.example' })).toEqual(REFUSED);
    expect(await probe(server.http, { Origin: server.http })).toEqual(SERVED);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/enableCors\(\) allows every origin.*auth\.allowedOrigins/);
  });

  it('prefers auth.allowedOrigins, and then has nothing to warn about', async () => {
    const server = await startWith(
      { auth: { allowedOrigins: ['https://app.example'] } },
      (app) => app.enableCors({ origin: /example$/ }),
      { logger },
    );
    expect(await probe(server.http, { Origin: 'https://app.example' })).toEqual(SERVED);
    expect(await probe(server.http, { Origin: 'https://cors.example' })).toEqual(REFUSED);
    expect(warnings).toEqual([]);
  });
});

describe('Origin behind a proxy: Host, or X-Forwarded-Host / -Proto from a trusted one', () => {
  const forwarded = {
    'X-Forwarded-Host': 'app.example.com',
    'X-Forwarded-Proto': 'https',
  };

  it('reads X-Forwarded-Host and -Proto only from a trusted proxy', async () => {
    const trusting = await start({ auth: { trustProxy: 'loopback' } });
    const plain = await start();
    try {
      expect(
        await probe(trusting.http, { ...forwarded, Origin: 'https://app.example.com' }),
      ).toEqual(SERVED);
      // The proxy says the page was https: its http twin is another origin.
      expect(
        await probe(trusting.http, { ...forwarded, Origin: 'http://app.example.com' }),
      ).toEqual(REFUSED);
      // Nobody trusted: anyone could have sent the headers, and the Host is 127.0.0.1.
      expect(await probe(plain.http, { ...forwarded, Origin: 'https://app.example.com' })).toEqual(
        REFUSED,
      );
    } finally {
      await Promise.all([trusting.app.close(), plain.app.close()]);
    }
  });

  it.each(PLATFORMS)(
    "on %s, trusts the proxy that the platform's own setting trusts",
    async (platform) => {
      const trusting = await start({}, undefined, {}, { platform, trustProxy: 'loopback' });
      const plain = await start({}, undefined, {}, { platform });
      try {
        const page = { ...forwarded, Origin: 'https://app.example.com' };
        expect(await probe(trusting.http, page)).toEqual(SERVED);
        expect(await probe(plain.http, page)).toEqual(REFUSED);
      } finally {
        await Promise.all([trusting.app.close(), plain.app.close()]);
      }
    },
  );

  it("serves the proxy's own page through a real reverse proxy that keeps the Host", async () => {
    const server = await start();
    const proxy = await ReverseProxy.start(server.http);
    const base = proxy.ws.replace('ws', 'http');
    try {
      expect(await probe(base, { Origin: base })).toEqual(SERVED);
      expect(await probe(base, { Origin: 'https://evil.example' })).toEqual(REFUSED);
    } finally {
      await proxy.stop();
      await server.app.close();
    }
  });
});
