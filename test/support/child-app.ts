import { startNodeProcess, type StartedNodeProcess } from './node-process.js';

/** A Node process that prints one JSON line when its app listens. */
export interface ChildApp extends StartedNodeProcess {
  /** The JSON line it printed. */
  info: Record<string, any>;
}

/** Runs `node <args>` in `cwd` and resolves with the first JSON line it prints on stdout. */
export async function startChildApp(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30_000,
): Promise<ChildApp> {
  const started = await startNodeProcess(args, { ready: /^\s*(\{.*)\r?\n/m, cwd, env, timeoutMs });
  return { ...started, info: JSON.parse(started.ready[1]!) };
}
