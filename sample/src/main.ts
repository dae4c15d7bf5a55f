import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { readSampleConfig } from './sample.config.js';
import { startSample } from './sample.app.js';

// dist/esm/sample/src/main.js serves dist/esm/sample/public (the build puts the page there).
const publicDir = fileURLToPath(new URL('../public/', import.meta.url));
const logger = new Logger('Sample');

try {
  const config = readSampleConfig(process.env, publicDir);
  if (config.tokenSecretIsDefault) {
    logger.warn(
      'SAMPLE_TOKEN_SECRET is not set: demo tokens are signed with a development secret anyone can read. Set it outside local development.',
    );
  }
  const { app, url, allowedOrigins } = await startSample(config);
  app.enableShutdownHooks();
  if (config.host === '0.0.0.0' || config.host === '::') {
    logger.log(
      `Listening on every interface: the page is admitted under whatever name it is opened by; pages served from other origins need CHANNELS_ALLOWED_ORIGINS (now ${allowedOrigins.join(', ')}).`,
    );
  }
  logger.log(`Notifications demo: open ${url}`);
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
