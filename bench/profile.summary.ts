// `node dist/esm/bench/profile.summary.js <file.cpuprofile> [top]`: self time by function,
// as a share of the busy (non-idle) samples, the way BENCHMARKS.md quotes the `node --cpu-prof` profiles (run with BENCH_CPU_PROF=<dir>).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, top = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile.summary <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
// Shares of the busy time: samples where the process idled are left out.
const idle = (n: ProfileNode) => n.callFrame.functionName === '(idle)';
const total = profile.nodes.reduce((sum, n) => sum + (idle(n) ? 0 : (n.hitCount ?? 0)), 0);
const self = new Map<string, number>();
for (const node of profile.nodes) {
  if (idle(node)) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^.*\/(node_modules\/|dist\/esm\/)/, '').replace(/^node:/, 'node:');
  const key = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`;
  self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top));
for (const [key, hits] of rows)
  console.log(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
