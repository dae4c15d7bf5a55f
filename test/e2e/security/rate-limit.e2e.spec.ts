import { waitFor } from '../../support/wait.js';
import { useChannels } from './channels-app.js';
import { OpenGateway } from './gateways.js';

describe('security: message rate limits', () => {
  describe('budgets', () => {
    const channels = useChannels({
      rateLimits: { message: { points: 5, durationMs: 60_000, abuseThreshold: 1_000 } },
    });

    it('answers a command over the connection budget with RATE_LIMITED, retryAfterMs and its id', async () => {
      const { client } = await channels.connect();
      for (let n = 1; n <= 5; n++)
        expect(await client.request('echo', n)).toEqual({ id: n, data: n });
      const limited = await client.request('echo', 6);
      expect(limited).toEqual({
        id: 6,
        error: {
          code: 'RATE_LIMITED',
          message: expect.stringMatching(/^Too many messages/),
          retryAfterMs: expect.any(Number),
        },
      });
      expect(limited.error.retryAfterMs).toBeGreaterThan(0);
      expect(limited.error.retryAfterMs).toBeLessThanOrEqual(60_000);
      // The budget is the connection's: another one is untouched.
      const { client: other } = await channels.connect();
      expect(await other.request('echo', 'fine')).toEqual({ id: 1, data: 'fine' });
    });

    it('counts the built-in commands and unparseable frames too, and runs no handler over the budget', async () => {
      const { client } = await channels.connect();
      await client.request('subscribe', { channel: 'room:a' });
      await client.request('unsubscribe', { channel: 'room:a' });
      for (let n = 0; n < 3; n++) {
        client.send('not json');
        expect((await client.next()).error.code).toBe('BAD_REQUEST');
      }
      client.send('not json');
      expect((await client.next()).error).toMatchObject({ code: 'RATE_LIMITED' });
      const calls = OpenGateway.calls;
      expect((await client.request('echo', 1)).error.code).toBe('RATE_LIMITED');
      expect((await client.request('subscribe', { channel: 'room:b' })).error.code).toBe(
        'RATE_LIMITED',
      );
      expect(OpenGateway.calls).toBe(calls);
    });

    it('gives a @RateLimit event its own budget in place of the shared one', async () => {
      const { client } = await channels.connect();
      expect((await client.request('expensive')).data).toBe('ok');
      expect((await client.request('expensive')).data).toBe('ok');
      const limited = await client.request('expensive');
      expect(limited).toMatchObject({ id: 3, error: { code: 'RATE_LIMITED' } });
      expect(limited.error.retryAfterMs).toBeGreaterThan(0);
      // A looser budget lets an event go past the shared 5, and leaves the shared one whole.
      for (let n = 0; n < 20; n++) expect((await client.request('chatty')).data).toBe('ok');
      for (let n = 0; n < 5; n++) expect((await client.request('echo', n)).data).toBe(n);
      expect((await client.request('echo', 5)).error.code).toBe('RATE_LIMITED');
    });
  });

  describe('abuse', () => {
    const channels = useChannels({
      rateLimits: {
        message: { points: 50, durationMs: 60_000, abuseThreshold: 100, abuseWindowMs: 60_000 },
      },
    });

    it('survives 2,000 commands flooded from one socket, closes it with 4429, and other sockets are unaffected', async () => {
      const flooder = (await channels.connect()).client;
      const bystander = (await channels.connect()).client;
      const callsBefore = OpenGateway.calls;
      for (let id = 1; id <= 2_000; id++) flooder.send({ id, event: 'echo', data: id });
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, n) => bystander.request('echo', `b${n}`)),
      );
      answers.forEach((answer, n) => expect(answer).toEqual({ id: n + 1, data: `b${n}` }));

      expect(await flooder.closed).toEqual({
        code: 4429,
        reason: 'Rate limit exceeded repeatedly.',
      });
      // Whatever reached the flooder before the close: replies within the budget, RATE_LIMITED past it.
      for (const frame of flooder.frames) {
        if ('data' in frame) expect(frame.id).toBeLessThanOrEqual(50);
        else
          expect(frame.error).toMatchObject({
            code: 'RATE_LIMITED',
            retryAfterMs: expect.any(Number),
          });
      }
      // Only the budget's worth of commands reached a handler: 50 from the flood, 20 from the bystander.
      expect(OpenGateway.calls - callsBefore).toBe(70);
      expect(await bystander.request('echo', 'after')).toEqual({ id: 21, data: 'after' });
      await waitFor(() => channels.service.connectionCount() === 1);
    });
  });

  describe('windows', () => {
    const channels = useChannels({
      rateLimits: { message: { points: 2, durationMs: 300 } },
    });

    it('lets a client that waits retryAfterMs go on', async () => {
      const { client } = await channels.connect();
      await client.request('echo', 1);
      await client.request('echo', 2);
      const limited = await client.request('echo', 3);
      expect(limited.error.code).toBe('RATE_LIMITED');
      expect(limited.error.retryAfterMs).toBeLessThanOrEqual(300);
      await new Promise((r) => setTimeout(r, limited.error.retryAfterMs + 50));
      expect(await client.request('echo', 4)).toEqual({ id: 4, data: 4 });
    });
  });
});
