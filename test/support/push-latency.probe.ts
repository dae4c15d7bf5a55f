import { performance } from 'node:perf_hooks';
import { paced, p99, type Attack } from './latency-phases.js';
import { sleep, withConcurrency } from './wait.js';
import { TestClient } from './ws-client.js';

/** Other clients' push latency, measured in phases (with an attack running, or not). */
export interface PushProbe {
  /** Runs one phase (starting and stopping `attack` around it) and returns the p99, in ms. */
  phase(attack?: Attack): Promise<number>;
  close(): void;
}

/** How {@link startPushProbe} measures. */
export interface PushProbeOptions {
  /** @default 50 */
  subscribers?: number;
  /** Pushes per second. @default 20 */
  ratePerS?: number;
  /** @default 3000 */
  phaseMs?: number;
  /** The handshake headers of subscriber `index`. @default none */
  headers?: (index: number) => Record<string, string>;
}

/**
 * Connects `subscribers` WebSocket clients to `url` (with `headers(index)`), subscribed to `channel`; each phase pushes
 * to them at `ratePerS` for `phaseMs` with `publish(due)`, and takes the p99 of their latencies,
 * each from the time its push was due: an event loop kept busy by an attacker delays the
 * publish itself (as it would a service's own request), and the subscribers wait for that too.
 * @example const probe = await startPushProbe(url, 'room:a', (t) => service.publish('room:a', 'tick', { t }));
 */
export async function startPushProbe(
  url: string,
  channel: string,
  publish: (due: number) => unknown,
  options: PushProbeOptions = {},
): Promise<PushProbe> {
  const { subscribers = 50, ratePerS = 20, phaseMs = 3_000, headers = () => ({}) } = options;
  const latencies: number[] = [];
  const clients = await withConcurrency(subscribers, 10, async (index) => {
    const { client } = await TestClient.connect(url, { headers: headers(index) });
    await client.request('subscribe', { channel });
    client.socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { channel?: string; data?: { t: number } };
      if (frame.channel === channel) latencies.push(performance.now() - frame.data!.t);
    });
    return client;
  });
  return {
    async phase(attack) {
      latencies.length = 0;
      const pushes = paced(ratePerS, (due) => void publish(due));
      attack?.start();
      await sleep(phaseMs);
      pushes.stop();
      attack?.stop();
      await sleep(300);
      if (latencies.length <= subscribers * ratePerS) throw new Error('too few pushes arrived');
      return p99(latencies);
    },
    close: () => clients.forEach((client) => client.socket.terminate()),
  };
}
