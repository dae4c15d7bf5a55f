import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The nginx configuration of `docs/deploy.md`, made to run on loopback ports. */
export interface DeployNginx {
  /** The guide's configuration (`map`, `upstream`, `server`), as an `http { }` body. */
  recommended: string;
  /** The guide's location without the upgrade headers, in a `server` of its own. */
  withoutUpgrade: string;
}

/**
 * Reads the nginx configuration from `docs/deploy.md` (the one source of truth: the test runs
 * what the guide says) and points it at `appPort`, listening on `port` (the recommended
 * configuration) and `plainPort` (the location without the upgrade headers). `edit` changes
 * the guide's configuration before use (a test of one setting). Throws when the guide no
 * longer has what the test replaces.
 */
export function deployNginx(
  ports: { app: number; port: number; plainPort: number },
  edit: (config: string) => string = (config) => config,
): DeployNginx {
  const guide = readFileSync(resolve('docs/deploy.md'), 'utf8');
  const nginx = /## nginx[\s\S]*?```nginx\n([\s\S]*?)```/.exec(guide)?.[1];
  const plain = /\*\*Without the upgrade headers\*\*[\s\S]*?```nginx\n([\s\S]*?)```/.exec(
    guide,
  )?.[1];
  if (!nginx || !plain) throw new Error('docs/deploy.md: the nginx blocks are missing');
  const recommended = edit(
    replaceOnce(
      replaceOnce(nginx, 'listen 80;', `listen 127.0.0.1:${ports.port};`),
      'server 127.0.0.1:3000;',
      `server 127.0.0.1:${ports.app};`,
    ),
  );
  return {
    recommended,
    withoutUpgrade: `server {\n  listen 127.0.0.1:${ports.plainPort};\n${plain}}\n`,
  };
}

function replaceOnce(text: string, from: string, to: string): string {
  if (text.split(from).length !== 2) throw new Error(`docs/deploy.md: expected one "${from}"`);
  return text.replace(from, to);
}
