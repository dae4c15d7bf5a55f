import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { ExecutionContext, Type } from '@nestjs/common';
import {
  ChannelsHandshake,
  ChannelsModule,
  type ChannelsModuleOptions,
  type ChannelsRequest,
} from '../../../lib/index.js';
import { PLATFORMS, startApp } from '../../support/app.js';
import { httpCall, postCommand, RawSseClient } from '../../support/sse-client.js';
import { TestClient } from '../../support/ws-client.js';
import {
  AdminGateway,
  AuthModule,
  ChatGateway,
  GuardedGateway,
  JwtServiceGuard,
  sign,
} from './jwt-auth.js';

type Setup = { name: string; options: ChannelsModuleOptions; extra?: object[] };

// The service's auth, unchanged, at the handshake: as a module-level handshake guard, as a
// guard on @nestjs/jwt's JwtService, and as a global APP_GUARD.
const setups: Setup[] = [
  {
    name: "AuthGuard('jwt') as handshake guard",
    options: { auth: { handshakeGuards: [AuthGuard('jwt')] } },
  },
  {
    name: 'a JwtService guard as handshake guard',
    options: { auth: { handshakeGuards: [JwtServiceGuard] } },
  },
  {
    name: "a global APP_GUARD (AuthGuard('jwt'))",
    options: {},
    extra: [{ provide: APP_GUARD, useClass: AuthGuard('jwt') as Type }],
  },
];

const onPlatforms = PLATFORMS.flatMap((platform) => setups.map((s) => ({ ...s, platform })));

describe.each(onPlatforms)(
  'existing Nest auth at the handshake on $platform: $name',
  ({ options, extra, platform }) => {
    let app: Awaited<ReturnType<typeof startApp>>;
    const clients: TestClient[] = [];
    beforeAll(async () => {
      app = await startApp(
        {
          imports: [AuthModule, ChannelsModule.forRoot(options)],
          providers: [ChatGateway, AdminGateway, ...((extra ?? []) as [])],
        },
        {},
        { platform },
      );
    });
    afterEach(() => clients.splice(0).forEach((c) => c.socket.terminate()));
    afterAll(() => app.app.close());

    const open = async (headers: Record<string, string> = {}, protocols?: string[]) => {
      const client = await TestClient.open(`${app.ws}/channels`, { headers, protocols });
      clients.push(client);
      return client;
    };

    it('welcomes a valid token over WebSocket, and its user is the principal', async () => {
      const client = await open({ authorization: `Bearer ${sign('alice')}` });
      expect((await client.next()).event).toBe('connected');
      expect(await client.request('whoami')).toMatchObject({ data: { id: 'alice' } });
    });

    it('finds a browser token (Sec-WebSocket-Protocol) where passport-jwt looks', async () => {
      const client = await open({}, ['channels.v1', `bearer.${sign('bob')}`]);
      expect((await client.next()).event).toBe('connected');
      expect(await client.request('whoami')).toMatchObject({ data: { id: 'bob' } });
    });

    it('finds a token cookie where passport-jwt looks, and parses cookies for guards', async () => {
      const client = await open({ cookie: `theme=dark; channels_token=${sign('gina')}` });
      expect((await client.next()).event).toBe('connected');
      expect(await client.request('whoami')).toMatchObject({ data: { id: 'gina' } });
    });

    it.each([
      ['no token', {}],
      ['a bad token', { authorization: `Bearer ${sign('eve', [], 'another-secret')}` }],
    ])('closes %s with 4401', async (_what, headers) => {
      const client = await open(headers);
      expect((await client.closed).code).toBe(4401);
    });

    it('answers the SSE handshake: 200 stream with a valid token, 401 without', async () => {
      const refused = await httpCall(`${app.http}/channels/sse?channel=room:a`);
      expect(refused.status).toBe(401);
      expect(refused.json.error.code).toBe('UNAUTHORIZED');
      const sse = await RawSseClient.open(`${app.http}/channels/sse?channel=room:a`, {
        authorization: `Bearer ${sign('carol')}`,
      });
      try {
        const welcome = await sse.next((e) => e.event === 'connected');
        const { connectionId } = JSON.parse(welcome.data);
        const answer = await postCommand(
          `${app.http}/channels/messages`,
          { id: 1, event: 'whoami' },
          { authorization: `Bearer ${sign('carol')}`, 'x-channels-connection': connectionId },
        );
        expect(answer.json).toEqual({ id: 1, data: { id: 'carol' } });
      } finally {
        sse.close();
      }
    });

    it("scopes a gateway's class guard to its own messages: a non-admin uses the other one", async () => {
      const user = await open({ authorization: `Bearer ${sign('dave')}` });
      expect((await user.next()).event).toBe('connected');
      expect(await user.request('whoami')).toMatchObject({ data: { id: 'dave' } });
      expect(await user.request('subscribe', { channel: 'room:a' })).toMatchObject({
        data: { channel: 'room:a' },
      });
      expect((await user.request('admin.stats')).error).toMatchObject({
        code: 'FORBIDDEN',
        status: 403,
        message: 'Admins only.',
      });
      const admin = await open({ authorization: `Bearer ${sign('erin', ['admin'])}` });
      expect((await admin.next()).event).toBe('connected');
      expect(await admin.request('admin.stats')).toMatchObject({ data: { ok: true } });
    });
  },
);

describe("AuthGuard('jwt') on a gateway class guards that gateway's messages", () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    app = await startApp({
      imports: [AuthModule, ChannelsModule.forRoot({})],
      providers: [ChatGateway, GuardedGateway],
    });
  });
  afterAll(() => app.app.close());

  it('authenticates each message from the handshake request, without a subclass', async () => {
    const { client } = await TestClient.connect(`${app.ws}/channels`, {
      headers: { authorization: `Bearer ${sign('frank')}` },
    });
    try {
      expect(await client.request('guarded.me')).toMatchObject({ data: { id: 'frank' } });
    } finally {
      client.close();
    }
    const { client: anonymous } = await TestClient.connect(`${app.ws}/channels`);
    try {
      expect((await anonymous.request('guarded.me')).error).toMatchObject({
        code: 'UNAUTHORIZED',
        status: 401,
      });
      expect(await anonymous.request('whoami')).toMatchObject({ data: {} });
    } finally {
      anonymous.close();
    }
  });
});

describe('global guards at the handshake', () => {
  it('run once per handshake, however many gateways there are', async () => {
    const seen: string[] = [];
    const counting = {
      canActivate(context: ExecutionContext): boolean {
        seen.push(context.getClass() === ChannelsHandshake ? 'handshake' : context.getClass().name);
        const request = context.switchToHttp().getRequest<ChannelsRequest>();
        request.user ??= { id: request.cookies.who ?? 'anonymous', roles: [] };
        return true;
      },
    };
    const app = await startApp({
      imports: [AuthModule, ChannelsModule.forRoot({})],
      providers: [
        ChatGateway,
        AdminGateway,
        GuardedGateway,
        { provide: APP_GUARD, useValue: counting },
      ],
    });
    try {
      const { client } = await TestClient.connect(`${app.ws}/channels`, {
        headers: { cookie: 'who=hank' },
      });
      expect(seen).toEqual(['handshake']);
      expect(await client.request('whoami')).toMatchObject({ data: { id: 'hank' } });
      expect(seen).toEqual(['handshake', 'ChatGateway']);
      client.close();
    } finally {
      await app.app.close();
    }
  });
});
