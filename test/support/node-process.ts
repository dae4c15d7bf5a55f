import { spawn, type ChildProcess } from 'node:child_process';

/** How a process ended, and when (`Date.now()`). */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

/** A Node process a test started, until it has exited. */
export interface NodeProcess {
  readonly child: ChildProcess;
  /** What it printed on stdout and stderr so far, as it arrived. */
  output(): string;
  /** What it printed on stderr so far. */
  stderr(): string;
  /** Resolves once it has exited. */
  readonly exited: Promise<ExitStatus>;
  /** How it ended; undefined while it runs. */
  exitStatus(): ExitStatus | undefined;
  /** SIGTERM (a graceful shutdown), SIGKILL after `graceMs`, and waits for the exit. */
  stop(graceMs?: number): Promise<void>;
}

/** Where a started process is, once its stdout matched. */
export interface StartedNodeProcess extends NodeProcess {
  /** The match of `ready` in its stdout. */
  readonly ready: RegExpExecArray;
}

export interface NodeProcessOptions {
  /** What its stdout prints once it is ready (the whole stdout so far is matched). */
  ready: RegExp;
  cwd?: string;
  /** Added to this process's environment; NODE_OPTIONS (Jest's own flags) is cleared. */
  env?: NodeJS.ProcessEnv;
  /** How long it may take to print `ready`; it is stopped after that. */
  timeoutMs?: number;
}

/**
 * The tests' one child-process harness: runs `node <args>`, resolves once its stdout matches
 * `ready`, and stops it with SIGTERM, as a process manager would.
 *
 * @example
 * const app = await startNodeProcess([fixture.file], { ready: /PORT (\d+)/ });
 * const port = Number(app.ready[1]);
 * afterAll(() => app.stop());
 */
export function startNodeProcess(
  args: string[],
  { ready, cwd, env = {}, timeoutMs = 30_000 }: NodeProcessOptions,
): Promise<StartedNodeProcess> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => resolve((status = { code, signal, at: Date.now() }))),
  );
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    output += chunk.toString();
  });
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(killer);
  };
  const started: NodeProcess = {
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    exitStatus: () => status,
    stop,
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`it printed no ${ready} within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    let matched = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
      const match = matched ? null : ready.exec(stdout);
      if (!match) return;
      matched = true;
      clearTimeout(timer);
      resolve({ ...started, ready: match });
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`it exited (${signal ?? code}) before printing ${ready}:\n${output}`));
    });
  });
}
