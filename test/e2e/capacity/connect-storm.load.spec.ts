import { connectStorm, loopbackAddresses } from '../../support/connect-storm.js';
import { sleep } from '../../support/wait.js';
import type { TestClient } from '../../support/ws-client.js';
import { startChannels, type ChannelsApp } from '../security/channels-app.js';
import { BusyGateway } from './busy.gateway.js';

const CLIENTS = 5_000;

// Admission by overload (issue 21): a node with default options welcomes every client of a
// storm it can serve, and sheds, before the upgrade, only while it is actually behind.
describe('capacity: 5,000 clients connecting at once, default options', () => {
  let channels: ChannelsApp;
  beforeAll(async () => {
    channels = await startChannels({}, [BusyGateway]);
  });
  afterAll(async () => {
    channels.closeClients();
    await channels.app.close();
  });

  it('welcomes all of them', async () => {
    // 20 client addresses: 250 each, within the per-IP limits (600 per 10 s, 1,000 open).
    const storm = await connectStorm(channels.url, CLIENTS, loopbackAddresses(20, 2));
    console.log(
      JSON.stringify({ idle: { ...storm.outcome, retryAfter: storm.outcome.retryAfter.length } }),
    );
    await storm.process.stop();
    expect(storm.outcome).toMatchObject({ welcomed: CLIENTS, statuses: {}, closes: {}, errors: 0 });
  }, 180_000);

  it('sheds with HTTP 503 and Retry-After before the upgrade while a handler holds the loop, never 1013, and welcomes the rest once it is free', async () => {
    const busy = await connectWhenAdmitted(channels);
    // 700 ms CPU-bound commands, back to back, for the storm's first 6 s. A node held like this
    // reads about one new connection per turn (the rest wait in the kernel's backlog): each is
    // judged as it is read.
    const busyUntil = Date.now() + 6_000;
    const keepBusy = (async () => {
      let spins = 0;
      for (; Date.now() < busyUntil; spins++) await spin(busy, 700);
      return spins;
    })();
    const storm = await connectStorm(channels.url, CLIENTS, loopbackAddresses(20, 30));
    const spins = await keepBusy;
    await storm.process.stop();
    const { welcomed, statuses, closes, errors, retryAfter } = storm.outcome;
    console.log(
      JSON.stringify({ busy: { ...storm.outcome, retryAfter: retryAfter.length, spins } }),
    );
    // Nobody was upgraded only to be closed (no 1013, no close code at all). While a handler
    // holds the loop for 700 ms the node reads no connection: a storm arriving meanwhile can
    // overflow the listen backlog (Node's 511), and the kernel resets some before the module
    // sees them (seen once in four runs here: 102 of 5,000). Those are counted, never a close code.
    const codes = Object.keys(closes).filter((key) => !key.startsWith('error '));
    expect(codes).toEqual([]);
    expect(Object.keys(closes).filter((key) => key !== 'error ECONNRESET')).toEqual([]);
    const reset = closes['error ECONNRESET'] ?? 0;
    expect(errors).toBe(reset);
    expect(Object.keys(statuses)).toEqual(['503']);
    expect(statuses[503]).toBeGreaterThan(0);
    expect(welcomed + statuses[503]! + reset).toBe(CLIENTS);
    expect(welcomed).toBeGreaterThan(CLIENTS * 0.8);
    expect(retryAfter).toHaveLength(statuses[503]!);
    for (const seconds of retryAfter) expect(seconds).toBeGreaterThanOrEqual(1);

    // The loop is free again: the refused come back (from other addresses) and are all welcomed.
    const refused = statuses[503]! + reset;
    const again = await connectStorm(channels.url, refused, loopbackAddresses(20, 60));
    await again.process.stop();
    expect(again.outcome).toMatchObject({ welcomed: refused, statuses: {}, closes: {} });
  }, 180_000);
});

// The storm before this one is still closing (5,000 sockets): a node busy with that sheds too.
async function connectWhenAdmitted(channels: ChannelsApp): Promise<TestClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await channels.connect()).client;
    } catch (error) {
      if (attempt >= 40 || !/HTTP 503/.test(String(error))) throw error;
      await sleep(250);
    }
  }
}

async function spin(client: TestClient, ms: number): Promise<void> {
  const answer = await client.request('spin', { ms });
  expect(answer.data).toEqual({ spunMs: ms });
}
