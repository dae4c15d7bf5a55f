import { Registry } from 'prom-client';
import { ChannelsModule } from '../../../lib/index.js';
import { ChannelsMetricsModule, metricsEnabledByEnv } from '../../../lib/metrics/index.js';
import { startApp } from '../../support/app.js';

describe('metrics switched off', () => {
  it('registers nothing with enabled: false', async () => {
    const registry = new Registry();
    const { app } = await startApp({
      imports: [
        ChannelsModule.forRoot({}),
        ChannelsMetricsModule.forRoot({ registry, enabled: false }),
      ],
    });
    try {
      expect(await registry.metrics()).not.toContain('channels_');
    } finally {
      await app.close();
    }
  });

  it('defaults to on, and CHANNELS_METRICS=off (or false, 0) turns it off', () => {
    expect(metricsEnabledByEnv({})).toBe(true);
    expect(metricsEnabledByEnv({ CHANNELS_METRICS: 'on' })).toBe(true);
    for (const off of ['off', 'false', '0', ' OFF ']) {
      expect(metricsEnabledByEnv({ CHANNELS_METRICS: off })).toBe(false);
    }
  });

  it('leaves the registry when the app closes, so the next app registers its own', async () => {
    const registry = new Registry();
    for (let round = 0; round < 2; round++) {
      const { app } = await startApp({
        imports: [ChannelsModule.forRoot({}), ChannelsMetricsModule.forRoot({ registry })],
      });
      expect(await registry.metrics()).toContain('channels_connections');
      await app.close();
      expect(await registry.metrics()).not.toContain('channels_');
    }
  });
});
