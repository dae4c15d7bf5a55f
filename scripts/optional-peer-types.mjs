// Makes the emitted declarations type-check in an app that lacks an optional peer dependency
// (ioredis, prom-client, ...) with `skipLibCheck: false`: each `import ... from '<peer>'` of a
// .d.ts gets a `// @ts-ignore` (tsc drops such comments from what it emits, hence this step).
// With the peer installed its types are used as usual; without it they are `any`, and the
// app, which does not use that part, type-checks. Run by scripts/build.mjs on dist/.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MARK = '// @ts-ignore: an optional peer dependency; without it, its types are `any`.';

/** The optional peers of package.json (`peerDependenciesMeta` with `optional: true`). */
export function optionalPeers() {
  const { peerDependenciesMeta = {} } = JSON.parse(readFileSync('package.json', 'utf8'));
  return Object.keys(peerDependenciesMeta).filter((name) => peerDependenciesMeta[name].optional);
}

/** Marks the optional peers' imports in every .d.ts under `dir`; returns the files changed. */
export function markOptionalPeerImports(dir, peers = optionalPeers()) {
  const names = peers.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
  // A whole import statement (possibly over several lines) from a peer or a subpath of one.
  const statement = new RegExp(`^import [^;]*? from '(?:${names})(?:/[^']*)?';$`, 'gm');
  const inline = new RegExp(`import\\("(?:${names})(?:/[^"]*)?"\\)`);
  const changed = [];
  for (const file of declarations(dir)) {
    const source = readFileSync(file, 'utf8');
    // An inline `import("peer")` type could not be marked on its own line: name it instead.
    if (inline.test(source))
      throw new Error(`${file}: an inline import() of an optional peer; import its type instead`);
    const marked = source.replace(statement, (text, offset) =>
      source.slice(Math.max(0, offset - MARK.length - 1), offset - 1) === MARK
        ? text
        : `${MARK}\n${text.replace(/\s*\n\s*/g, ' ')}`,
    );
    if (marked !== source) {
      writeFileSync(file, marked);
      changed.push(file);
    }
  }
  return changed;
}

function* declarations(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* declarations(path);
    else if (entry.name.endsWith('.d.ts')) yield path;
  }
}
