// Issue 23: what permessage-deflate costs the server, measured for docs/compression.md.
// `node dist/esm/bench/deflate.costs.js`: the CPU of compressing one 5 KB push (once per push,
// whatever the subscriber count), and the server's RSS per connection with compression off,
// on and unused by the client, and on with every client sending compressed commands (each
// connection then holds an inflater).
import { WebSocket } from 'ws';
import { encodePush } from '../lib/protocol/push.encoder.js';
import { deflateFrame } from '../lib/transports/ws.deflate.js';
import { CONTENDERS } from './contenders.js';
import { ServerProcess } from './harness.js';
import { median } from './stats.js';
import { dashboard } from './wire.scenario.js';

const CONNECTIONS = Number(process.env.BENCH_DEFLATE_CONNECTIONS ?? 1000);

function perPush(level: number, windowBits: number): { us: number; bytes: number } {
  const push = encodePush({
    channel: 'bench',
    event: 'push',
    data: dashboard(1),
    offset: 1,
    epoch: 'e',
  });
  const params = { threshold: 0, level, windowBits };
  for (let i = 0; i < 200; i++) deflateFrame(push.wsFrame!, params);
  const runs: number[] = [];
  for (let r = 0; r < 15; r++) {
    const start = performance.now();
    for (let i = 0; i < 100; i++) deflateFrame(push.wsFrame!, params);
    runs.push(((performance.now() - start) * 1000) / 100);
  }
  return { us: median(runs), bytes: deflateFrame(push.wsFrame!, params).length };
}

async function perConnection(contender: string, deflate: false | { threshold: number }) {
  const c = CONTENDERS[contender]!;
  const server = await ServerProcess.start(c.entry, c.args, c.env?.(0));
  const sockets: WebSocket[] = [];
  try {
    const before = await server.stats(true);
    for (let i = 0; i < CONNECTIONS; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/channels`, {
        perMessageDeflate: deflate,
      });
      sockets.push(ws);
      await new Promise<void>((resolve, reject) => {
        ws.once('error', reject);
        ws.on('message', (data: Buffer) => {
          const text = data.toString();
          if (text.includes('"connected"'))
            ws.send(JSON.stringify({ id: 1, event: 'subscribe', data: { channel: 'bench' } }));
          else if (text.includes('"id":1')) resolve();
        });
      });
    }
    const after = await server.stats(true);
    return (after.rss - before.rss) / 1024 / CONNECTIONS;
  } finally {
    for (const ws of sockets) ws.terminate();
    server.stop();
  }
}

const bytes = Buffer.byteLength(
  encodePush({ channel: 'bench', event: 'push', data: dashboard(1), offset: 1, epoch: 'e' }).json,
);
console.log(`one 5 KB push (${bytes} bytes of JSON), compressed once per push:`);
for (const [level, windowBits] of [
  [1, 15],
  [6, 15],
  [9, 15],
  [6, 10],
] as const) {
  const { us, bytes: out } = perPush(level, windowBits);
  console.log(
    `  level ${level}, window 2^${windowBits}: ${us.toFixed(1)} µs, ${out} bytes on the wire`,
  );
}
console.log(`server RSS per connection (${CONNECTIONS} connections, after a full GC):`);
console.log(
  `  compression off:                        ${(await perConnection('channels', false)).toFixed(1)} KB`,
);
console.log(
  `  on, client sends plain commands:        ${(await perConnection('channels-deflate', { threshold: 1024 })).toFixed(1)} KB`,
);
console.log(
  `  on, client sends compressed commands:   ${(await perConnection('channels-deflate', { threshold: 0 })).toFixed(1)} KB`,
);
