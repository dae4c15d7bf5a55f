import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { connectStorm, loopbackAddresses } from '../../support/connect-storm.js';
import { httpCall } from '../../support/sse-client.js';
import { AUTH, tokenGuard } from '../../support/token.guard.js';
import { sleep } from '../../support/wait.js';
import { startChannels, type ChannelsApp } from '../security/channels-app.js';
import { OpenGateway, TokenGuard } from '../security/gateways.js';

/** The HTTP answer to an upgrade that was refused before it happened. */
function upgradeRefusal(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: any }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, ['channels.v1'], { headers });
    socket.on('error', () => undefined); // terminate() before the open reports one
    socket.once('open', () => reject(new Error('the upgrade succeeded')));
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        socket.terminate();
        resolve({
          status: response.statusCode!,
          headers: response.headers,
          body: JSON.parse(text),
        });
      });
    });
  });
}

describe('a fixed node-wide handshake rate (rateLimits.handshakeAdmission, off by default)', () => {
  let channels: ChannelsApp;
  beforeAll(async () => {
    channels = await startChannels({
      rateLimits: { handshakeAdmission: { points: 2, durationMs: 60_000 } },
    });
  });
  afterAll(async () => {
    channels.closeClients();
    await channels.app.close();
  });

  it('sheds a storm before the upgrade with a retry hint (HTTP 503 Retry-After), not a lockout', async () => {
    await channels.connect();
    await channels.connect();
    const shed = await upgradeRefusal(channels.url);
    expect(shed.status).toBe(503);
    expect(Number(shed.headers['retry-after'])).toBeGreaterThan(0);
    expect(shed.body.error).toMatchObject({ code: 'RATE_LIMITED', status: 503 });
    expect(shed.body.error.message).toMatch(/^The server is busy: retry in \d+ ms\.$/);
    const sse = await httpCall(`${channels.http}/channels/sse`);
    expect(sse.status).toBe(503);
    expect(Number(sse.headers['retry-after'])).toBeGreaterThan(0);
    expect(sse.json.error).toMatchObject({ code: 'RATE_LIMITED', status: 503 });
    expect(sse.json.error.retryAfterMs).toBeGreaterThan(0);
  });
});

describe('admission by overload: handshakes in flight (admission.maxHandshakesInFlight)', () => {
  let channels: ChannelsApp;
  beforeAll(async () => {
    channels = await startChannels(
      {
        admission: { maxHandshakesInFlight: 1, retryAfterMs: 3_000 },
        limits: { handshakeTimeoutMs: 1_000 },
      },
      [OpenGateway, TokenGuard],
    );
  });
  afterAll(async () => {
    channels.closeClients();
    await channels.app.close();
  });

  it('sheds while a guard still holds one handshake (503 before the upgrade, SSE too), and admits again once it is done', async () => {
    await channels.connect({ headers: AUTH('user-1') });
    // A guard that does not answer (a hung auth service) holds its handshake in flight.
    const hung = channels.open({ headers: AUTH('hang') });
    await sleep(100);
    const shed = await upgradeRefusal(channels.url, AUTH('user-2'));
    expect(shed.status).toBe(503);
    expect(Number(shed.headers['retry-after'])).toBeGreaterThanOrEqual(3);
    expect(shed.body.error.retryAfterMs).toBeGreaterThanOrEqual(3_000);
    expect(shed.body.error.retryAfterMs).toBeLessThanOrEqual(6_000);
    const sse = await httpCall(`${channels.http}/channels/sse`, { headers: AUTH('user-2') });
    expect(sse.status).toBe(503);
    expect(sse.headers['retry-after']).toBeDefined();
    // The hung one times out (1011 after its upgrade, as before); the next is welcomed.
    expect((await (await hung).closed).code).toBe(1011);
    await channels.connect({ headers: AUTH('user-2') });
  });
});

describe('admission by event-loop delay (the default measure)', () => {
  let channels: ChannelsApp;
  let holding: NodeJS.Timeout | undefined;
  // Holds this process's event loop (the node's) for `ms`, as a CPU-bound handler would.
  const hold = (ms: number): void => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  beforeAll(async () => {
    channels = await startChannels({ admission: { maxEventLoopDelayMs: 200 } });
  });
  afterEach(() => clearInterval(holding));
  afterAll(async () => {
    channels.closeClients();
    await channels.app.close();
  });

  it('sheds nobody for one stall once it is over (a start-up, a long GC)', async () => {
    hold(800);
    const { welcome } = await channels.connect();
    expect(welcome.event).toBe('connected');
    // Two stalls 300 ms apart: readings in between are on time, so each is one stall.
    await sleep(300);
    hold(800);
    expect((await channels.connect()).welcome.event).toBe('connected');
  });

  it('sheds with 503 before the upgrade while the loop is held again and again, and admits once it is not', async () => {
    holding = setInterval(() => hold(400), 20);
    await sleep(1_000);
    const shed = await upgradeRefusal(channels.url);
    expect(shed.status).toBe(503);
    expect(Number(shed.headers['retry-after'])).toBeGreaterThan(0);
    clearInterval(holding);
    await sleep(400);
    expect((await channels.connect()).welcome.event).toBe('connected');
  });
});

describe('a storm of handshakes taken up in turns (WebSocket handshakes are paced)', () => {
  // A handshake guard that holds the loop 10 ms (CPU-bound work, a synchronous verify): the
  // node takes up two or three of them a turn, and the rest wait in arrival order.
  const SpinGuard = tokenGuard((token) => {
    const until = performance.now() + 10;
    while (performance.now() < until);
    return { id: token ?? `anonymous-${Math.random()}` };
  });
  let channels: ChannelsApp;
  beforeAll(async () => {
    channels = await startChannels(
      { limits: { handshakeTimeoutMs: 400 }, auth: { handshakeGuards: [SpinGuard] } },
      [OpenGateway, SpinGuard],
    );
  });
  afterAll(async () => {
    channels.closeClients();
    await channels.app.close();
  });

  it('answers one that waited its whole handshakeTimeoutMs with 503 before the upgrade, never a close after it', async () => {
    // 300 at once from another process: 3 s of guard work against a 400 ms deadline from arrival.
    const storm = await connectStorm(channels.url, 300, loopbackAddresses(4));
    try {
      const { welcomed, statuses, closes, errors, retryAfter } = storm.outcome;
      expect(closes).toEqual({});
      expect(errors).toBe(0);
      expect(Object.keys(statuses)).toEqual(['503']);
      expect(welcomed + statuses['503']!).toBe(300);
      expect(welcomed).toBeGreaterThan(0);
      expect(retryAfter.every((seconds) => seconds > 0)).toBe(true);
    } finally {
      await storm.process.stop();
    }
  }, 60_000);
});
