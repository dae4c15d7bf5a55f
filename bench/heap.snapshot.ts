// `node dist/esm/bench/heap.snapshot.js [contender ...]` (default: ws-naive channels, and
// channels-before with BENCH_BEFORE): what one idle connection keeps on the server's heap. Per
// contender: a heap snapshot after a full GC, BENCH_IDLE (default 2,000) connections opened as
// the `idle` scenario opens them, a second snapshot; then the difference by constructor (or
// closure name, or V8's own kind of node), as bytes and objects per connection, side by side.
// Snapshots go to BENCH_HEAP_DIR (default a temporary directory) and are kept.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENDERS } from './contenders.js';
import { ClientProcess, ServerProcess } from './harness.js';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per kind of heap node: `Foo` for objects, `Foo()` for closures. */
type Census = Map<string, { bytes: number; count: number }>;

function census(file: string): Census {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const result: Census = new Map();
  for (let i = 0; i < heap.nodes.length; i += fields.length) {
    const type = types[heap.nodes[i + typeAt!]!]!;
    const name = heap.strings[heap.nodes[i + nameAt!]!]!;
    const key =
      type === 'object' || type === 'native'
        ? name
        : type === 'closure'
          ? `${name || '(anonymous)'}()`
          : `(${type})`;
    const entry = result.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += heap.nodes[i + sizeAt!]!;
    entry.count += 1;
    result.set(key, entry);
  }
  return result;
}

async function measure(id: string, n: number, dir: string): Promise<Census> {
  const contender = CONTENDERS[id];
  if (!contender) throw new Error(`unknown contender ${id}`);
  const server = await ServerProcess.start(contender.entry, contender.args);
  const clients = await Promise.all([ClientProcess.start(), ClientProcess.start()]);
  const local = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = join(dir, `${id}-0.heapsnapshot`);
    await server.snapshot(before);
    const half = Array.from({ length: n / 2 }, () => '');
    await Promise.all(clients.map((c) => c.open(contender.dialect, server.port, half, local)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = join(dir, `${id}-${n}.heapsnapshot`);
    await server.snapshot(after);
    const [a, b] = [census(before), census(after)];
    const diff: Census = new Map();
    for (const [key, { bytes, count }] of b) {
      const was = a.get(key) ?? { bytes: 0, count: 0 };
      diff.set(key, { bytes: (bytes - was.bytes) / n, count: (count - was.count) / n });
    }
    return diff;
  } finally {
    for (const c of clients) c.stop();
    server.stop();
  }
}

const ids = process.argv.slice(2);
if (ids.length === 0)
  ids.push('ws-naive', 'channels', ...(process.env.BENCH_BEFORE ? ['channels-before'] : []));
const n = Number(process.env.BENCH_IDLE ?? 2000);
const dir = process.env.BENCH_HEAP_DIR ?? mkdtempSync(join(tmpdir(), 'heap-'));
const diffs: Census[] = [];
for (const id of ids) diffs.push(await measure(id, n, dir));

// Rows where any contender keeps at least 8 bytes (or one object in ten) per connection.
const keys = [...new Set(diffs.flatMap((d) => [...d.keys()]))]
  .filter((k) =>
    diffs.some((d) => Math.abs(d.get(k)?.bytes ?? 0) >= 8 || (d.get(k)?.count ?? 0) >= 0.1),
  )
  .sort(
    (x, y) =>
      Math.max(...diffs.map((d) => d.get(y)?.bytes ?? 0)) -
      Math.max(...diffs.map((d) => d.get(x)?.bytes ?? 0)),
  );
const cell = (d: Census, k: string) => {
  const e = d.get(k);
  return e ? `${e.bytes.toFixed(0)} B / ${e.count.toFixed(2)}` : '0';
};
console.log(
  `${n} idle connections; bytes (self size) and objects per connection; snapshots in ${dir}`,
);
console.log(`| kept per connection | ${ids.join(' | ')} |`);
console.log(`| --- | ${ids.map(() => '---:').join(' | ')} |`);
for (const key of keys) console.log(`| ${key} | ${diffs.map((d) => cell(d, key)).join(' | ')} |`);
const totals = diffs.map((d) => [...d.values()].reduce((s, e) => s + e.bytes, 0));
console.log(`| **total** | ${totals.map((t) => `${t.toFixed(0)} B`).join(' | ')} |`);
