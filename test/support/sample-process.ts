import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The built sample (`npm run build`, which `npm test` runs first). */
export const SAMPLE_MAIN = resolve('dist/esm/sample/src/main.js');
const PAGE_BUNDLE = resolve('dist/esm/sample/public/app.js');

/** A sample app running in its own Node process. */
export interface SampleProcess {
  child: ChildProcess;
  /** The page's URL, as the app printed it. */
  url: string;
  port: number;
  /** Everything it printed. */
  output(): string;
  /** SIGTERM (a graceful shutdown), then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts the built sample with `env` and resolves once it prints the URL to open. */
export function startSampleProcess(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<SampleProcess> {
  if (!existsSync(SAMPLE_MAIN) || !existsSync(PAGE_BUNDLE)) {
    return Promise.reject(
      new Error('The sample is not built: run `npm run build` first (`npm test` does).'),
    );
  }
  const child = spawn(process.execPath, [SAMPLE_MAIN], {
    env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the sample printed no URL within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /Notifications demo: open (http:\/\/\S+)/.exec(output);
      if (!found) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.on('data', (more: Buffer) => (output += more.toString()));
      const url = found[1]!;
      resolvePromise({ child, url, port: Number(new URL(url).port), output: () => output, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the sample exited with ${code}:\n${output}`));
    });
  });
}
