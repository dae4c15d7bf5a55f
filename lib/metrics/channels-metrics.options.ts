import type { Registry } from 'prom-client';

/**
 * Options of {@link ChannelsMetricsModule}.
 * @example ChannelsMetricsModule.forRoot({ registry: myRegistry })
 */
export interface ChannelsMetricsOptions {
  /**
   * The registry the `channels_*` metrics are registered in.
   * @default prom-client's global `register`
   */
  registry?: Registry;
  /**
   * Whether the metrics are collected at all. Off, nothing is registered and nothing listens
   * to the lifecycle (the benchmark compares the fan-out both ways with `CHANNELS_METRICS`).
   * @default true, unless the environment variable `CHANNELS_METRICS` is `off`, `false` or `0`
   */
  enabled?: boolean;
  /**
   * Bucket bounds of `channels_command_duration_seconds`, in seconds.
   * @default [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
   */
  commandDurationBuckets?: number[];
  /**
   * Bucket bounds of `channels_broker_publish_roundtrip_seconds`, in seconds.
   * @default [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
   */
  brokerRoundTripBuckets?: number[];
}

/**
 * The default `enabled`: on unless `CHANNELS_METRICS` is `off`, `false` or `0`.
 * @example metricsEnabledByEnv({ CHANNELS_METRICS: 'off' }) // false
 */
export function metricsEnabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return !['off', 'false', '0'].includes((env.CHANNELS_METRICS ?? '').trim().toLowerCase());
}

/**
 * DI token of the options given to `ChannelsMetricsModule.forRoot()`.
 * @example constructor(@Inject(CHANNELS_METRICS_OPTIONS) options: ChannelsMetricsOptions) {}
 */
export const CHANNELS_METRICS_OPTIONS = Symbol('CHANNELS_METRICS_OPTIONS');
