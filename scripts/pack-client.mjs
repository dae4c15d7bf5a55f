// `npm run pack:client`: builds the client SDK (lib/client with the protocol and contract types
// it uses) as a package of its own, `nestjs-channels-client`, with no dependencies and no Node
// types, and writes its tarball to the repository root. Prints the tarball's name.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const out = 'dist/client-package';
const tsc = (project) =>
  execFileSync('npx', ['--no-install', 'tsc', '-p', project], { stdio: 'inherit' });

rmSync(out, { recursive: true, force: true });
tsc('tsconfig.client.json');
tsc('tsconfig.client.cjs.json');
writeFileSync(join(out, 'cjs/package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');

// The server package's metadata that the client shares (version, license, repository).
const server = JSON.parse(readFileSync('package.json', 'utf8'));
const template = JSON.parse(readFileSync('scripts/client-package/package.template.json', 'utf8'));
const { version, license, homepage, bugs, repository } = server;
const { name, description, keywords, ...rest } = template;
// One dependency: the MessagePack codec, which the client loads only for `encoding: 'msgpack'`
// (a bundler puts it in a chunk of its own; the JSON client never fetches it).
const dependencies = { msgpackr: server.dependencies.msgpackr };
const manifest = {
  name,
  version,
  description,
  keywords,
  homepage,
  bugs,
  repository,
  license,
  dependencies,
};
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'package.json'), JSON.stringify({ ...manifest, ...rest }, null, 2) + '\n');
copyFileSync('scripts/client-package/README.md', join(out, 'README.md'));
copyFileSync('LICENSE', join(out, 'LICENSE'));

const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', process.cwd()], {
  cwd: out,
  encoding: 'utf8',
}).trim();
console.log(tarball);
