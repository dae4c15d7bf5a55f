import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, spawnRedisServer, stopRedisServer } from './redis-server.js';

const run = promisify(execFile);
const REDIS_CLI = process.env.REDIS_CLI ?? '/usr/bin/redis-cli';
// Generous: on a loaded machine (two suites start clusters at once) forming one takes longer.
const TIMEOUT_MS = 30_000;

/** A throwaway 3-master Redis Cluster on 127.0.0.1 (no replicas, no persistence), for tests. */
export interface RedisCluster {
  readonly nodes: Array<{ host: string; port: number }>;
  stop(): Promise<void>;
}

/**
 * Starts three `redis-server --cluster-enabled yes` on free ports, joins them with
 * `redis-cli --cluster create`, and resolves once the cluster state is ok (about 2 s).
 * @example
 * const cluster = await startRedisCluster();
 * afterAll(() => cluster.stop());
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'channels-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopRedisServer(child, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    while (ports.length < 3) {
      const port = await freePort();
      // A cluster node also listens on port + 10000: redis-server refuses a port above 55535.
      if (!ports.includes(port) && port <= 55535) ports.push(port);
    }
    for (const port of ports) {
      const clusterArgs = ['--cluster-enabled', 'yes'];
      const config = ['--cluster-config-file', join(dir, `nodes-${port}.conf`)];
      children.push(await spawnRedisServer(port, [...clusterArgs, ...config], TIMEOUT_MS));
    }
    await run(REDIS_CLI, [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const port of ports)
      await waitFor(async () => (await cli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'));
    return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function cli(port: number, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(REDIS_CLI, ['-p', String(port), ...args]);
    return stdout.trim();
  } catch {
    return '';
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the Redis Cluster did not come up in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
