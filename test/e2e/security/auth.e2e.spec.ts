import { createTokenExtractor } from '../../../lib/index.js';
import { waitFor } from '../../support/wait.js';
import { TestClient } from '../../support/ws-client.js';
import { startChannels, useChannels } from './channels-app.js';
import { AuthGateway, OpenGateway, TokenGuard } from './gateways.js';

describe('security: authentication at the handshake', () => {
  const channels = useChannels(
    {
      auth: { allowedOrigins: ['https://app.example.com'] },
      limits: { handshakeTimeoutMs: 1_000 },
    },
    [AuthGateway, OpenGateway, TokenGuard],
  );

  describe('credentials', () => {
    it.each([
      ['an Authorization: Bearer header', { headers: { authorization: 'Bearer user-alice' } }],
      ['a cookie', { headers: { cookie: 'theme=dark; channels_token=user-alice' } }],
      [
        'a Sec-WebSocket-Protocol bearer.<token>',
        { protocols: ['channels.v1', 'bearer.user-alice'] },
      ],
    ])('reads the token from %s; the principal reaches every handler', async (_name, options) => {
      const { client } = await channels.connect(options);
      expect(await client.request('whoami')).toEqual({
        id: 1,
        data: { id: 'alice', transport: 'websocket' },
      });
      expect((await client.request('subscribe', { channel: 'user:alice' })).data.channel).toBe(
        'user:alice',
      );
      expect((await client.request('subscribe', { channel: 'user:bob' })).error.code).toBe(
        'FORBIDDEN',
      );
    });

    it('answers the subprotocol channels.v1, never echoing the token', async () => {
      const { client } = await channels.connect({
        protocols: ['channels.v1', 'bearer.user-alice'],
      });
      expect(client.socket.protocol).toBe('channels.v1');
    });

    it('ignores ?access_token= unless the extractor allows it', async () => {
      const client = await channels.open({}, '?access_token=user-alice');
      expect(await client.closed).toEqual({ code: 4401, reason: 'A valid token is required.' });
      const optIn = await startChannels(
        { auth: { extractToken: createTokenExtractor({ allowQueryToken: true }) } },
        [AuthGateway, TokenGuard],
      );
      try {
        const { client: allowed } = await TestClient.connect(
          `${optIn.url}?access_token=user-alice`,
        );
        expect((await allowed.request('whoami')).data.id).toBe('alice');
        allowed.close();
      } finally {
        await optIn.app.close();
      }
    });
  });

  describe('refusals never become connections', () => {
    it.each([
      ['no token', {}, 4401, 'A valid token is required.'],
      [
        'a bad token',
        { headers: { authorization: 'Bearer nope' } },
        4401,
        'A valid token is required.',
      ],
      [
        'a forbidden principal',
        { headers: { authorization: 'Bearer banned' } },
        4403,
        'This account is banned.',
      ],
    ])(
      '%s: upgrade then an immediate close, no welcome, never registered',
      async (_name, options, code, reason) => {
        const registered: number[] = [];
        const client = await channels.open(options);
        registered.push(channels.service.connectionCount());
        expect(await client.closed).toEqual({ code, reason });
        expect(client.frames).toEqual([]);
        expect(registered).toEqual([0]);
        expect(channels.service.connectionCount()).toBe(0);
      },
    );

    it('bounds a handshake whose guard hangs: 1011 after handshakeTimeoutMs, never registered', async () => {
      const started = Date.now();
      const client = await channels.open({ headers: { authorization: 'Bearer hang' } });
      expect(await client.closed).toEqual({ code: 1011, reason: 'The handshake timed out.' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(client.frames).toEqual([]);
      expect(channels.service.connectionCount()).toBe(0);
      // The place the hung handshake held in the per-IP count was given back.
      const { client: next } = await channels.connect({
        headers: { authorization: 'Bearer user-alice' },
      });
      expect((await next.request('whoami')).data.id).toBe('alice');
    });
  });

  describe('Origin allow-list (cross-site WebSocket hijacking)', () => {
    it('refuses a foreign Origin with HTTP 403 and no socket, before any guard runs', async () => {
      const before = TokenGuard.handshakes;
      await expect(
        TestClient.open(channels.url, {
          headers: { origin: 'https://evil.example', authorization: 'Bearer user-alice' },
        }),
      ).rejects.toThrow('HTTP 403');
      expect(TokenGuard.handshakes).toBe(before);
    });

    it('admits an allowed Origin, and a client that sends none', async () => {
      const allowed = await channels.connect({
        headers: { origin: 'https://app.example.com', authorization: 'Bearer user-alice' },
      });
      expect(allowed.welcome.event).toBe('connected');
      const native = await channels.connect({ headers: { authorization: 'Bearer user-bob' } });
      expect(native.welcome.event).toBe('connected');
    });
  });

  describe('credential expiry', () => {
    it('closes with 4401 when expiresAt passes, and delivers nothing after it', async () => {
      const { client, welcome } = await channels.connect({
        headers: { authorization: 'Bearer exp-alice-600' },
      });
      const expiresAt = channels.service.getConnection(welcome.data.connectionId)!.expiresAt!;
      expect(expiresAt).toBeGreaterThan(Date.now());
      await client.request('subscribe', { channel: 'user:alice' });
      const publisher = setInterval(
        () => void channels.service.publish('user:alice', 'tick', { at: Date.now() }),
        10,
      );
      try {
        expect(await client.closed).toEqual({ code: 4401, reason: 'Credentials expired.' });
      } finally {
        clearInterval(publisher);
      }
      const pushes = client.frames.filter((frame) => frame.channel === 'user:alice');
      expect(pushes.length).toBeGreaterThan(0);
      for (const push of pushes) expect(push.data.at).toBeLessThan(expiresAt);
      await waitFor(() => channels.service.subscriptionCount('user:alice') === 0);
    });

    it('reads a JWT-style exp in seconds', async () => {
      const { client } = await channels.connect({
        headers: { authorization: 'Bearer jwt-bob-0.3' },
      });
      expect(await client.closed).toEqual({ code: 4401, reason: 'Credentials expired.' });
    });

    it('refuses credentials that have already expired at the handshake', async () => {
      const client = await channels.open({ headers: { authorization: 'Bearer exp-carol-0' } });
      expect(await client.closed).toEqual({ code: 4401, reason: 'The credentials have expired.' });
      expect(client.frames).toEqual([]);
    });
  });
});
