import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopRedisServer } from './redis-server.js';

const NGINX_BINARY = process.env.NGINX ?? '/usr/sbin/nginx';

/** A throwaway nginx in a temporary prefix, for tests. */
export interface Nginx {
  /** Stops nginx, waits for it to exit and removes its prefix. Safe to call twice. */
  stop(): Promise<void>;
  /** nginx's error log so far (what to print when a test through it fails). */
  errorLog(): string;
}

/**
 * Starts a real nginx in the foreground with `http` as the body of its `http { }` block (the
 * `server` blocks, `upstream`s and `map`s a test brings), everything else in a temporary
 * prefix (pid, logs, temp paths); resolves once each of `ports` on 127.0.0.1 accepts.
 *
 * @example
 * const port = await freePort();
 * const nginx = await startNginx(`server { listen 127.0.0.1:${port}; location / { return 204; } }`, [port]);
 * afterAll(() => nginx.stop());
 */
export async function startNginx(http: string, ports: number[]): Promise<Nginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'nginx-'));
  const temp = (name: string) => {
    mkdirSync(join(prefix, name));
    return join(prefix, name);
  };
  const conf = `pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
worker_processes 1;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${temp('client_body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
${http}
}
`;
  writeFileSync(join(prefix, 'nginx.conf'), conf);
  const errorLog = () => {
    try {
      return readFileSync(join(prefix, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const child = spawn(
    NGINX_BINARY,
    [
      '-p',
      prefix,
      '-c',
      join(prefix, 'nginx.conf'),
      '-e',
      join(prefix, 'error.log'),
      '-g',
      'daemon off;',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async () => {
    await stopRedisServer(child);
    rmSync(prefix, { recursive: true, force: true });
  };
  try {
    await waitForPorts(child, ports, 10_000);
  } catch (error) {
    const log = errorLog();
    await stop();
    throw new Error(`nginx did not start: ${String(error)}\n${stderr}\n${log}`);
  }
  return { stop, errorLog };
}

async function waitForPorts(child: ChildProcess, ports: number[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await accepts(port))) {
      if (child.exitCode !== null) throw new Error(`nginx exited (code ${child.exitCode})`);
      if (Date.now() > deadline) throw new Error(`port ${port} not open within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
