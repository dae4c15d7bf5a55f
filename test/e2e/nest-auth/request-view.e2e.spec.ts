import { Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import {
  ChannelGateway,
  ChannelsModule,
  OnMessage,
  type ChannelsRequest,
} from '../../../lib/index.js';
import { PLATFORMS, startApp } from '../../support/app.js';
import { TestClient } from '../../support/ws-client.js';

// What `getRequest()` gives a guard, read at the handshake and again on a message of the live
// connection (which keeps the headers, not the upgrade request).
interface Seen {
  tenant: string | string[] | undefined;
  viaGet: string | string[] | undefined;
  authorization: string | string[] | undefined;
  cookies: Record<string, string>;
  query: Record<string, string | string[]>;
  ip: string | undefined;
  url: string;
  method: string;
  upgradeKey: boolean;
  own: string[];
}

const seen: Array<{ where: string; request: Seen }> = [];

function look(context: ExecutionContext): Seen {
  const request = context.switchToHttp().getRequest<ChannelsRequest>();
  return {
    tenant: request.headers['x-tenant'],
    viaGet: request.get('X-Tenant'),
    authorization: request.headers.authorization,
    cookies: { ...request.cookies },
    query: { ...request.query },
    ip: request.ip,
    url: request.url,
    method: request.method,
    upgradeKey: 'sec-websocket-key' in request.headers,
    own: Object.getOwnPropertyNames(request).filter((key) =>
      ['headers', 'query', 'get', 'user'].includes(key),
    ),
  };
}

@Injectable()
class HandshakeLook implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    seen.push({ where: 'handshake', request: look(context) });
    return true;
  }
}

@Injectable()
class MessageLook implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    seen.push({ where: 'message', request: look(context) });
    return true;
  }
}

@UseGuards(MessageLook)
@ChannelGateway()
class LookGateway {
  @OnMessage('look')
  look() {
    return 'ok';
  }
}

describe.each(PLATFORMS)('the request view on a live WebSocket connection (%s)', (platform) => {
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    app = await startApp(
      {
        imports: [ChannelsModule.forRoot({ auth: { handshakeGuards: [new HandshakeLook()] } })],
        providers: [LookGateway, MessageLook],
      },
      {},
      { platform },
    );
  });
  afterAll(() => app.app.close());
  beforeEach(() => seen.splice(0));

  it('gives message guards the headers, cookies, query, address and URL the handshake had', async () => {
    const url = `${app.ws}/channels?room=a&room=b&tab=1`;
    const { client } = await TestClient.connect(url, {
      headers: { 'x-tenant': 'acme', cookie: 'sid=s%201; theme=dark' },
      protocols: ['channels.v1', 'bearer.tok-1'],
    });
    try {
      expect(await client.request('look')).toMatchObject({ data: 'ok' });
      expect(await client.request('look')).toMatchObject({ data: 'ok' });
    } finally {
      client.close();
    }
    expect(seen.map((s) => s.where)).toEqual(['handshake', 'message', 'message']);
    const expected = {
      tenant: 'acme',
      viaGet: 'acme',
      // The credential from Sec-WebSocket-Protocol, where passport-jwt looks.
      authorization: 'Bearer tok-1',
      cookies: { sid: 's 1', theme: 'dark' },
      query: { room: ['a', 'b'], tab: '1' },
      ip: '127.0.0.1',
      url: '/channels?room=a&room=b&tab=1',
      method: 'GET',
      // The fields are accessors on the client's class, never properties of each client.
      own: [],
    };
    for (const { request } of seen) expect(request).toMatchObject(expected);
    // The upgrade's own headers are there for the handshake guards, and not kept afterwards.
    expect(seen.map((s) => s.request.upgradeKey)).toEqual([true, false, false]);
  });

  it('keeps each connection its own view (two clients, different headers)', async () => {
    const a = await TestClient.connect(`${app.ws}/channels?n=1`, { headers: { 'x-tenant': 'a' } });
    const b = await TestClient.connect(`${app.ws}/channels?n=2`, { headers: { 'x-tenant': 'b' } });
    try {
      await b.client.request('look');
      await a.client.request('look');
    } finally {
      a.client.close();
      b.client.close();
    }
    const messages = seen.filter((s) => s.where === 'message').map((s) => s.request);
    expect(messages.map((r) => [r.tenant, r.query, r.authorization])).toEqual([
      ['b', { n: '2' }, undefined],
      ['a', { n: '1' }, undefined],
    ]);
  });
});
