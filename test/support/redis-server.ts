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
      let child = await spawnOn(port);
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        stop: () => stopChild(child),
        async restart() {
          await stopChild(child, 'SIGKILL');
          child = await spawnOn(port);
        },
      };
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`redis-server did not start: ${String(lastError)}`);
}

async function spawnOn(port: number): Promise<ChildProcess> {
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
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    await waitForPing(port, child);
    return child;
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`redis-server exited (code ${child.exitCode})`);
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not answer PING within 10 s');
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

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
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
