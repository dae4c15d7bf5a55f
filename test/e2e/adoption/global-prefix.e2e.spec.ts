import type { INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { ChannelsAsyncApiModule, ChannelsModule } from 'nestjs-channels';
import { connectTestClient } from 'nestjs-channels/testing';
import { ChatGateway } from '../protocol/chat.gateways.js';
import { httpCall, postCommand, RawSseClient } from '../../support/sse-client.js';
import { TestClient } from '../../support/ws-client.js';
import { createPlatformApp, PLATFORMS, type Platform } from '../../support/app.js';

type Json = Record<string, any>;

/** An app with `app.setGlobalPrefix('api')`, the module's `useGlobalPrefix` as given. */
async function startPrefixed(useGlobalPrefix: boolean, platform: Platform) {
  const lines: string[] = [];
  const logger: LoggerService = {
    log: (message: unknown) => void lines.push(String(message)),
    warn: () => undefined,
    error: () => undefined,
  };
  const moduleRef = await Test.createTestingModule({
    imports: [ChannelsModule.forRoot({ useGlobalPrefix }), ChannelsAsyncApiModule.forRoot()],
    providers: [ChatGateway],
  }).compile();
  const app = await createPlatformApp(moduleRef, { logger }, { platform });
  app.setGlobalPrefix('api');
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, lines, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
}

// Issue 20, item 3: the endpoint under the global prefix, AsyncAPI agreeing, and the startup
// log saying where it is.
describe.each(PLATFORMS)(
  'on %s, useGlobalPrefix: true with app.setGlobalPrefix("api")',
  (platform) => {
    let app: INestApplication;
    let lines: string[];
    let http: string;
    let ws: string;

    beforeAll(async () => ({ app, lines, http, ws } = await startPrefixed(true, platform)));
    afterAll(() => app.close());

    it('answers WebSocket at /api/channels, and not at /channels', async () => {
      const { client, welcome } = await TestClient.connect(`${ws}/api/channels`, {
        protocols: ['channels.v1'],
      });
      expect(welcome.data.protocol).toBe(1);
      client.socket.close();
      await expect(TestClient.open(`${ws}/channels`)).rejects.toThrow('HTTP 404');
    });

    it('streams SSE at GET /api/channels/sse and takes commands at POST /api/channels/messages', async () => {
      const { client: stream, welcome } = await RawSseClient.connect(`${http}/api/channels/sse`);
      const { connectionId } = welcome.json as { connectionId: string };
      const answer = await postCommand(
        `${http}/api/channels/messages`,
        { id: 1, event: 'echo', data: 'under the prefix' },
        { 'X-Channels-Connection': connectionId },
      );
      expect(answer.json).toEqual({ id: 1, data: 'under the prefix' });
      stream.request.destroy();
      expect((await httpCall(`${http}/channels/sse`)).status).toBe(404);
    });

    it('is where the testing helpers connect, on both transports', async () => {
      for (const transport of ['websocket', 'sse'] as const) {
        const client = await connectTestClient(app, { transport });
        expect(await client.request('echo', transport)).toBe(transport);
        await client.close();
      }
    });

    it('is what the AsyncAPI document (itself under the prefix) says', async () => {
      const doc = (await httpCall(`${http}/api/asyncapi.json`)).json as Json;
      expect(doc.servers.websocket.pathname).toBe('/api/channels');
      expect(doc.servers.sse.pathname).toBe('/api/channels/sse');
      expect(doc.servers.sse.description).toContain('POST /api/channels/messages');
    });

    it('is named by one startup log line: the WebSocket path and the SSE paths', () => {
      const named = lines.filter((line) => line.includes('/api/channels'));
      expect(named).toEqual([
        'WebSocket at /api/channels, SSE at GET /api/channels/sse and POST /api/channels/messages',
      ]);
    });
  },
);

describe.each(PLATFORMS)(
  'on %s, useGlobalPrefix left out, with app.setGlobalPrefix("api")',
  (platform) => {
    let app: INestApplication;
    let lines: string[];
    let http: string;
    let ws: string;

    beforeAll(async () => ({ app, lines, http, ws } = await startPrefixed(false, platform)));
    afterAll(() => app.close());

    it('stays at /channels, the AsyncAPI document says so, and the log says how to move it', async () => {
      const { client } = await TestClient.connect(`${ws}/channels`, { protocols: ['channels.v1'] });
      client.socket.close();
      const doc = (await httpCall(`${http}/api/asyncapi.json`)).json as Json;
      expect(doc.servers.websocket.pathname).toBe('/channels');
      expect(lines.filter((line) => line.startsWith('WebSocket at '))).toEqual([
        'WebSocket at /channels, SSE at GET /channels/sse and POST /channels/messages ' +
          '(not under the global prefix /api: useGlobalPrefix: true puts them there)',
      ]);
    });
  },
);
