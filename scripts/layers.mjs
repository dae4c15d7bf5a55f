// The import layers of lib/ (docs/architecture.md): each folder may import its own layer and the
// layers below it. Prints every import that runs upward and every loop between folders (type-only
// imports count), and exits non-zero when there is a loop or more than MAX_UPWARD upward imports.
// Usage: node scripts/layers.mjs [--json]
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bottom to top. A folder not listed is an error; root files of lib/ are the Nest wiring. */
export const LAYERS = [
  ['protocol'],
  ['contract', 'client'],
  ['settings'],
  ['connection'],
  ['brokers'],
  ['gateway'],
  ['rate-limit'],
  ['hub'],
  ['presence'],
  ['router'],
  ['auth'],
  ['redis'],
  ['transports'],
  ['(root)', 'decorators', 'asyncapi', 'metrics', 'tracing', 'health', 'testing'],
];
export const MAX_UPWARD = 0;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'lib');
const rank = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i])));

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const folderOf = (file) => {
  const parts = relative(root, file).split(sep);
  return parts.length > 1 ? parts[0] : '(root)';
};

export function analyse() {
  const edges = [];
  for (const file of files(root)) {
    const source = readFileSync(file, 'utf8');
    const pattern =
      /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
    for (const match of source.matchAll(pattern)) {
      let target = resolve(dirname(file), match[1] ?? match[2]).replace(/\.js$/, '.ts');
      if (!existsSync(target) && existsSync(target.replace(/\.ts$/, '')))
        target = join(target.replace(/\.ts$/, ''), 'index.ts');
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to)
        edges.push({ file: relative(root, file), target: relative(root, target), from, to });
    }
  }
  const unknown = [...new Set(edges.flatMap((e) => [e.from, e.to]))].filter((f) => !rank.has(f));
  const upward = edges.filter((e) => rank.get(e.to) > rank.get(e.from));
  // Loops between folders: strongly connected components of the folder graph.
  const graph = new Map();
  for (const { from, to } of edges) {
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from).add(to);
  }
  const loops = [];
  const index = new Map(),
    low = new Map(),
    stack = [],
    on = new Set();
  let counter = 0;
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) loops.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return { edges, upward, loops, unknown };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = analyse();
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  for (const e of result.upward) console.log(`upward: ${e.file} -> ${e.target}`);
  for (const loop of result.loops) console.log(`loop: ${loop.join(' <-> ')}`);
  for (const f of result.unknown) console.log(`unknown folder: ${f}`);
  console.log(
    `${result.upward.length} upward imports (at most ${MAX_UPWARD}), ${result.loops.length} loops`,
  );
  process.exitCode =
    result.loops.length > 0 || result.unknown.length > 0 || result.upward.length > MAX_UPWARD
      ? 1
      : 0;
}
