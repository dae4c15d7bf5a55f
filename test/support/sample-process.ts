import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startNodeProcess, type StartedNodeProcess } from './node-process.js';

/** The built sample (`npm run build`, which `npm test` runs first). */
export const SAMPLE_MAIN = resolve('dist/esm/sample/src/main.js');
const PAGE_BUNDLE = resolve('dist/esm/sample/public/app.js');

/** A sample app running in its own Node process. */
export interface SampleProcess extends StartedNodeProcess {
  /** The page's URL, as the app printed it. */
  url: string;
  port: number;
}

/** Starts the built sample with `env` and resolves once it prints the URL to open. */
export async function startSampleProcess(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<SampleProcess> {
  if (!existsSync(SAMPLE_MAIN) || !existsSync(PAGE_BUNDLE)) {
    throw new Error('The sample is not built: run `npm run build` first (`npm test` does).');
  }
  const started = await startNodeProcess([SAMPLE_MAIN], {
    ready: /Notifications demo: open (http:\/\/\S+)/,
    env: { NO_COLOR: '1', HOST: '127.0.0.1', ...env },
    timeoutMs,
  });
  const url = started.ready[1]!;
  return { ...started, url, port: Number(new URL(url).port) };
}
