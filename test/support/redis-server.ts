import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

/** A throwaway redis-server on 127.0.0.1, for tests. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Kills the server and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Kills the server (SIGKILL: no shutdown, and nothing persisted), then starts a new one on
   * the same port, empty; resolves once it answers PING.
   */
  restart(): Promise<void>;
}

const REDIS_BINARY = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/**
 * Starts a real `redis-server` on a free loopback port, with no persistence (`--save ''
 * --appendonly no`), and resolves once it answers PING. Stop it in `afterAll`.
 *
 * @example
 * let redis: RedisServer;
 * beforeAll(async () => (redis = await startRedisServer()));
 * afterAll(() => redis.stop());
 */
export async function startRedisServer(): Promise<RedisServer> {
  let lastError: unknown;
  // A free port can be taken by someone else between the probe and redis binding it: retry.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      let child = await spawnRedisServer(port);
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        stop: () => stopRedisServer(child),
        async restart() {
          await stopRedisServer(child, 'SIGKILL');
          child = await spawnRedisServer(port);
        },
      };
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`redis-server did not start: ${String(lastError)}`);
}

/**
 * The tests' one way to start a `redis-server`: on `port` of 127.0.0.1, with no persistence
 * and `args` added; resolves once it answers PING (it is stopped if it has not within
 * `timeoutMs`).
 */
export async function spawnRedisServer(
  port: number,
  args: string[] = [],
  timeoutMs = 10_000,
): Promise<ChildProcess> {
  const child = spawn(
    REDIS_BINARY,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
      ...args,
    ],
    { stdio: 'ignore' },
  );
  try {
    await waitForPing(port, child, timeoutMs);
    return child;
  } catch (error) {
    await stopRedisServer(child);
    throw error;
  }
}

/** A port of 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`redis-server exited (code ${child.exitCode})`);
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer PING within ${timeoutMs} ms`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

/** Stops a server `spawnRedisServer` started (SIGKILL after 5 s) and waits for it to exit. */
export function stopRedisServer(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
