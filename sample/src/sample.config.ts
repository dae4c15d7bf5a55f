/** The sample's settings, read from the environment (see SAMPLE.md). */
export interface SampleConfig {
  /** `PORT`: 0 picks a free port. */
  port: number;
  /** `HOST`: the bind address. */
  host: string;
  /** `CHANNELS_HEARTBEAT_MS`. */
  heartbeatMs: number;
  /** `CHANNELS_HEARTBEAT_TIMEOUT_MS`. */
  heartbeatTimeoutMs: number;
  /** `CHANNELS_ALLOWED_ORIGINS`; undefined: the app's own origin. */
  allowedOrigins: string[] | undefined;
  /** `SAMPLE_TOKEN_SECRET`. */
  tokenSecret: string;
  /** Whether `tokenSecret` is the built-in development value. */
  tokenSecretIsDefault: boolean;
  /** How long a demo token is valid. */
  tokenTtlMs: number;
  /** Where the page's files are. */
  publicDir: string;
  /** `REDIS_URL`; undefined: in-memory, one node. */
  redisUrl: string | undefined;
  /** `CHANNELS_PRESENCE_TTL_MS`. */
  presenceTtlMs: number;
  /** `SAMPLE_DIGEST_TOKEN_MS`: the pause between two words of the streamed digest. */
  digestTokenMs: number;

  /** `CHANNELS_MAX_BUFFERED_BYTES`: a connection's outbound buffer limit. */
  maxBufferedBytes: number;
}

/** DI token of the {@link SampleConfig}. */
export const SAMPLE_CONFIG = Symbol('sample:config');

// Development only: anyone who reads this repository can mint tokens with it.
const DEVELOPMENT_SECRET = 'nestjs-channels-sample-development-secret';

/**
 * Reads the settings from `env`.
 * @throws Error naming the variable, for a value that is not usable
 */
export function readSampleConfig(env: NodeJS.ProcessEnv, publicDir: string): SampleConfig {
  const origins = env.CHANNELS_ALLOWED_ORIGINS?.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    heartbeatMs: integer(env, 'CHANNELS_HEARTBEAT_MS', 25_000, 1),
    heartbeatTimeoutMs: integer(env, 'CHANNELS_HEARTBEAT_TIMEOUT_MS', 10_000, 1),
    allowedOrigins: origins && origins.length > 0 ? origins : undefined,
    tokenSecret: env.SAMPLE_TOKEN_SECRET || DEVELOPMENT_SECRET,
    tokenSecretIsDefault: !env.SAMPLE_TOKEN_SECRET,
    tokenTtlMs: 60 * 60 * 1000,
    publicDir,
    redisUrl: env.REDIS_URL || undefined,
    presenceTtlMs: integer(env, 'CHANNELS_PRESENCE_TTL_MS', 30_000, 1),
    digestTokenMs: integer(env, 'SAMPLE_DIGEST_TOKEN_MS', 50, 0),

    maxBufferedBytes: integer(env, 'CHANNELS_MAX_BUFFERED_BYTES', 1024 * 1024, 1),
  };
}

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}; got "${raw}".`);
  }
  return value;
}
