import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createServer } from 'node:net';
import { AppModule } from './app.module.js';
import type { SampleConfig } from './sample.config.js';

/** A listening sample app. */
export interface RunningSample {
  app: NestExpressApplication;
  port: number;
  /** The page's URL. */
  url: string;
  /** The Origin allow-list in force. */
  allowedOrigins: string[];
}

/**
 * Creates the sample app, serves the page from `config.publicDir`, and listens. With port 0
 * a free port is found first, because the default Origin allow-list (the app's own origin)
 * names the port.
 */
export async function startSample(
  config: SampleConfig,
  logger: LoggerService | LogLevel[] | false = new Logger(),
): Promise<RunningSample> {
  const port = config.port === 0 ? await freePort(config.host) : config.port;
  const allowedOrigins = config.allowedOrigins ?? ownOrigins(config.host, port);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forConfig(config, allowedOrigins),
    { logger },
  );
  // The page is tiny and changes with every build: always revalidate.
  app.useStaticAssets(config.publicDir, {
    index: 'index.html',
    setHeaders: (response) => response.setHeader('Cache-Control', 'no-cache'),
  });
  await app.listen(port, config.host);
  return { app, port, url: `http://${urlHost(config.host)}:${port}/`, allowedOrigins };
}

/**
 * The origins a browser on this machine uses to reach the app. A wildcard bind address
 * (`0.0.0.0`) also answers other names: the module admits a page under the name it was opened
 * by (its own origin); pages served elsewhere need `CHANNELS_ALLOWED_ORIGINS`.
 */
export function ownOrigins(host: string, port: number): string[] {
  const loopback = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  if (['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(host)) return loopback;
  return [`http://${urlHost(host)}:${port}`];
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
