import type { ChannelsSettings } from '../../../lib/settings/channels.settings.js';
import type { ConnectionRegistry } from '../../../lib/connection/connection.registry.js';
import { HeartbeatMonitor } from '../../../lib/connection/heartbeat.monitor.js';

// Stands in for a connection whose heartbeat is slow (a busy socket): it holds the thread.
function slowConnection(log: string[], id: number, holdMs: number) {
  return {
    heartbeat() {
      const until = performance.now() + holdMs;
      while (performance.now() < until);
      log.push(`hb${id}`);
    },
  };
}

describe('HeartbeatMonitor', () => {
  it('visits every connection in a sweep, yielding the event loop between slices', async () => {
    const log: string[] = [];
    const connections = Array.from({ length: 96 }, (_, i) => slowConnection(log, i, 0.5));
    const registry = { all: () => connections.values() } as unknown as ConnectionRegistry;
    const settings = {
      heartbeat: { intervalMs: 10_000, timeoutMs: 10_000 },
      sse: { heartbeatMs: 10_000 },
    } as ChannelsSettings;
    const monitor = new HeartbeatMonitor(registry, settings);
    // The first sweep starts at 5 s; drive it by hand instead of waiting.
    (monitor as unknown as { sweep(): void }).sweep();
    // Work queued behind the first slice runs before the sweep ends.
    setImmediate(() => log.push('other work'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    monitor.onApplicationShutdown();
    const hb = log.filter((entry) => entry !== 'other work');
    expect(hb).toEqual(connections.map((_, i) => `hb${i}`));
    const other = log.indexOf('other work');
    expect(other).toBeGreaterThan(0);
    expect(other).toBeLessThan(log.length - 1);
  });
});
