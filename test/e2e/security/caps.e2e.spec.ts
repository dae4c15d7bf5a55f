import { sleep, waitFor, withConcurrency } from '../../support/wait.js';
import { TestClient } from '../../support/ws-client.js';
import { startChannels, type ChannelsApp } from './channels-app.js';
import { AuthGateway, TokenGuard } from './gateways.js';

/** Whether an opened client was welcomed, or else the code it was closed with. */
function outcome(client: TestClient): Promise<'welcome' | number> {
  return new Promise((resolve) => {
    if (client.frames.some((frame) => frame.event === 'connected')) return resolve('welcome');
    client.socket.once('message', () => resolve('welcome'));
    void client.closed.then(({ code }) => resolve(code));
  });
}

describe('security: connection caps and the handshake rate', () => {
  describe('per IP', () => {
    let channels: ChannelsApp;
    beforeAll(async () => {
      channels = await startChannels({
        limits: { maxConnectionsPerIp: 100 },
        rateLimits: { connection: false },
      });
    });
    afterAll(async () => {
      channels.closeClients();
      await channels.app.close();
    });

    it('admits exactly 100 of 1,000 connections from one IP; the rest are refused with 4429', async () => {
      const clients: TestClient[] = [];
      const results = await withConcurrency(1_000, 25, async () => {
        const client = await channels.open();
        clients.push(client);
        const result = await outcome(client);
        if (result !== 'welcome') await client.closed;
        return result;
      });
      expect(results.filter((r) => r === 'welcome')).toHaveLength(100);
      expect(results.filter((r) => r === 4429)).toHaveLength(900);
      expect(channels.service.connectionCount()).toBe(100);
      const refused = clients.find((client) => client.frames.length === 0)!;
      expect((await refused.closed).reason).toBe(
        'Too many connections from this IP address (at most 100).',
      );

      // A place is given back when a connection closes.
      const welcomed = clients.filter((client) =>
        client.frames.some((f) => f.event === 'connected'),
      );
      welcomed[0]!.close();
      await waitFor(() => channels.service.connectionCount() === 99);
      expect(await outcome(await channels.open())).toBe('welcome');
    });
  });

  describe('per principal', () => {
    let channels: ChannelsApp;
    beforeAll(async () => {
      channels = await startChannels({ limits: { maxConnectionsPerPrincipal: 2 } }, [
        AuthGateway,
        TokenGuard,
      ]);
    });
    afterAll(async () => {
      channels.closeClients();
      await channels.app.close();
    });

    it('refuses a principal over its cap with 4429, leaves others alone, and frees the place on close', async () => {
      const alice = { headers: { authorization: 'Bearer user-alice' } };
      const first = await channels.connect(alice);
      await channels.connect(alice);
      const third = await channels.open(alice);
      expect(await third.closed).toEqual({
        code: 4429,
        reason: 'Too many connections from this user (at most 2).',
      });
      expect(third.frames).toEqual([]);
      expect(
        (await channels.connect({ headers: { authorization: 'Bearer user-bob' } })).welcome.event,
      ).toBe('connected');

      first.client.close();
      await first.client.closed;
      await waitFor(() => channels.service.connectionCount() === 2);
      expect(await outcome(await channels.open(alice))).toBe('welcome');
    });
  });

  describe('handshake rate per IP', () => {
    let channels: ChannelsApp;
    beforeAll(async () => {
      channels = await startChannels(
        { rateLimits: { connection: { points: 3, durationMs: 60_000 } } },
        [AuthGateway, TokenGuard],
      );
    });
    afterAll(async () => {
      channels.closeClients();
      await channels.app.close();
    });

    it('refuses connection attempts over the rate with 4429, before the guards run', async () => {
      const token = { headers: { authorization: 'Bearer user-carol' } };
      await channels.connect(token);
      await channels.connect(token);
      // A refused attempt counts too.
      expect(await (await channels.open()).closed).toMatchObject({ code: 4401 });
      const guardRuns = TokenGuard.handshakes;
      const limited = await channels.open(token);
      const closed = await limited.closed;
      expect(closed.code).toBe(4429);
      expect(closed.reason).toMatch(/^Too many connection attempts: retry in \d+ ms\.$/);
      expect(TokenGuard.handshakes).toBe(guardRuns);
      expect(channels.service.connectionCount()).toBe(2);
    });
  });

  describe('places of handshakes that never complete', () => {
    let channels: ChannelsApp;
    beforeAll(async () => {
      channels = await startChannels(
        { limits: { maxConnectionsPerIp: 1, handshakeTimeoutMs: 1_500 } },
        [AuthGateway, TokenGuard],
      );
    });
    afterAll(async () => {
      channels.closeClients();
      await channels.app.close();
    });

    it('counts a handshake in progress, and gives its place back when it times out', async () => {
      const hung = channels.open({ headers: { authorization: 'Bearer hang' } });
      await sleep(100);
      // While the hung handshake holds the only place, another one is over the cap.
      const second = await channels.open({ headers: { authorization: 'Bearer user-a' } });
      expect((await second.closed).code).toBe(4429);
      expect((await (await hung).closed).code).toBe(1011);
      const third = await channels.open({ headers: { authorization: 'Bearer user-a' } });
      expect(await outcome(third)).toBe('welcome');
      third.close();
      await waitFor(() => channels.service.connectionCount() === 0);
    });
  });
});
