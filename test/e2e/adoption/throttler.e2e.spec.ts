import { connectTestClient, RefusedConnectionError } from 'nestjs-channels/testing';
import { useFixtureApp, type FixtureApp } from '../../support/compile-fixture.js';

// Must match throttler-app.fixture.ts (not imported: it starts an app when imported).
const THROTTLER_LIMIT = 3;
const MESSAGE_POINTS = 5;

// Issue 20, item 4: @nestjs/throttler side by side (docs/existing-app.md).
describe('a global ThrottlerGuard with skipIf: isChannelsContext', () => {
  const fixture = useFixtureApp('test/e2e/adoption/throttler-app.fixture.ts');
  let app: FixtureApp;
  let base: string;

  beforeAll(async () => {
    app = await fixture.start({ THROTTLE_CHANNELS: 'skip' });
    base = `http://127.0.0.1:${app.port}`;
  });

  it('leaves every handshake and command to the module, on both transports', async () => {
    for (const transport of ['websocket', 'sse'] as const) {
      for (let connection = 0; connection < THROTTLER_LIMIT + 2; connection++) {
        const client = await connectTestClient(base, { transport });
        for (let n = 0; n < 2; n++) expect(await client.request('echo', n)).toBe(n);
        await client.close();
      }
    }
  });

  it("keeps the module's own limits: past the message budget, RATE_LIMITED", async () => {
    const client = await connectTestClient(base);
    for (let n = 0; n < MESSAGE_POINTS; n++) expect(await client.request('echo', n)).toBe(n);
    await expect(client.request('echo', 'one too many')).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: expect.any(Number),
    });
    await client.close();
  });

  it('still throttles the HTTP routes', async () => {
    const statuses: number[] = [];
    for (let n = 0; n <= THROTTLER_LIMIT; n++) statuses.push((await fetch(`${base}/ping`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('a global ThrottlerGuard without skipIf: the channels are counted', () => {
  const fixture = useFixtureApp('test/e2e/adoption/throttler-app.fixture.ts');
  let base: string;

  beforeAll(async () => {
    base = `http://127.0.0.1:${(await fixture.start({ THROTTLE_CHANNELS: 'count' })).port}`;
  });

  it('counts the commands of an event: past the limit, RATE_LIMITED', async () => {
    const client = await connectTestClient(base);
    const answers: unknown[] = [];
    for (let n = 0; n <= THROTTLER_LIMIT; n++) {
      answers.push(await client.request('echo', n).catch((error: unknown) => error));
    }
    expect(answers.slice(0, THROTTLER_LIMIT)).toEqual([0, 1, 2]);
    expect(answers[THROTTLER_LIMIT]).toMatchObject({ code: 'RATE_LIMITED' });
    await client.close();
    // @SkipThrottle() on a gateway class skips its commands (a second handshake: 2 so far).
    const other = await connectTestClient(base);
    for (let n = 0; n <= THROTTLER_LIMIT; n++) expect(await other.request('free', n)).toBe(n);
    await other.close();
  });

  it('counts the handshakes: past the limit a new connection is refused 4429', async () => {
    // The test above made two handshakes; ThrottlerGuard keys them apart from the commands.
    for (let n = 2; n < THROTTLER_LIMIT; n++) {
      await (await connectTestClient(base, { transport: n % 2 ? 'sse' : 'websocket' })).close();
    }
    const refused = await connectTestClient(base, { transport: 'sse' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RefusedConnectionError);
    expect(refused).toMatchObject({ closeCode: 4429 });
  });
});
