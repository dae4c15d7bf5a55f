// A load-client process: opens connections in one contender's protocol, counts the pushes
// they receive (and their latency, from the `t` the driver stamped), or drives echo commands.
// The harness talks to it over IPC; it never shares a process with a server.
import { request as httpRequest, Agent } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { applyFossilDelta } from '../lib/protocol/fossil-delta.decoder.js';
import { packFrame, unpackFrame } from '../lib/protocol/msgpack.codec.js';

/** How a contender's subscribers connect and what its frames look like. */
export type Dialect =
  | 'ws-raw'
  | 'nest'
  | 'channels'
  | 'channels-json'
  | 'channels-msgpack'
  | 'channels-deflate'
  | 'channels-delta'
  | 'socket.io'
  | 'sse';

// The dialects of the `wire` scenario decode every push, as an app's client would: the
// client's CPU per delivery is then the decode cost (ws framing, inflate, parse).
const DECODING: ReadonlySet<Dialect> = new Set([
  'channels-json',
  'channels-msgpack',
  'channels-deflate',
  'channels-delta',
]);

interface OpenOp {
  op: 'open';
  dialect: Dialect;
  port: number;
  channels: string[];
  localAddresses: string[];
}
interface AwaitOp {
  op: 'await';
  expect: number;
}
interface EchoOp {
  op: 'echo';
  durationMs: number;
  inFlight: number;
}
type Op =
  OpenOp | AwaitOp | EchoOp | { op: 'arm'; latency: boolean } | { op: 'pause' } | { op: 'close' };

const now = () => performance.timeOrigin + performance.now();
const reply = (message: object) => process.send!(message);

let received = 0;
let waiting: { expect: number } | undefined;
let latencies: number[] | undefined;
const sockets: WebSocket[] = [];
const streams: Array<{ destroy(): void }> = [];
let dialect: Dialect = 'ws-raw';

function onPushText(text: string, count: number): void {
  received += count;
  if (latencies) {
    const at = now();
    for (let i = text.indexOf('"t":'); i >= 0; i = text.indexOf('"t":', i + 4))
      latencies.push(at - parseFloat(text.slice(i + 4, i + 30)));
  }
  if (waiting && received >= waiting.expect) {
    waiting = undefined;
    reply(reachedReport());
  }
}

// Bytes read from every socket since the last `arm`, and this process's CPU time.
let bytesAtArm = 0;
let cpuAtArm = 0;
const bytesRead = () =>
  sockets.reduce(
    (sum, ws) => sum + ((ws as unknown as { _socket?: Socket })._socket?.bytesRead ?? 0),
    0,
  );
const cpuUs = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};
const reachedReport = () => ({
  op: 'reached',
  at: now(),
  latencies,
  received,
  bytes: bytesRead() - bytesAtArm,
  cpuUs: cpuUs() - cpuAtArm,
});

/**
 * What the SDK does with a delta subscription's pushes: parse the frame; a delta is applied to
 * the previous push's data (its JSON text) and the result parsed; a full push becomes the base.
 */
class DeltaDecoder {
  private base: Uint8Array = new Uint8Array();

  decode(text: string): unknown {
    const frame = JSON.parse(text) as { data: unknown; delta?: true };
    if (!frame.delta) {
      this.base = utf8.encode(JSON.stringify(frame.data));
      return frame.data;
    }
    const delta = Buffer.from((frame.data as { $binary: string }).$binary, 'base64');
    this.base = applyFossilDelta(this.base, delta);
    return JSON.parse(utf8Decoder.decode(this.base));
  }
}
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

function openWs(port: number, channel: string, localAddress: string): Promise<void> {
  const channels = dialect.startsWith('channels');
  const path = channels
    ? '/channels'
    : dialect === 'nest'
      ? '/nest'
      : dialect === 'socket.io'
        ? `/socket.io/?EIO=4&transport=websocket&channel=${channel}`
        : `/?channel=${channel}`;
  const protocols = dialect === 'channels-msgpack' ? ['channels.v1.msgpack'] : [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols, {
    localAddress,
    perMessageDeflate: dialect === 'channels-deflate',
  });
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    let ready = false;
    const done = () => {
      ready = true;
      resolve();
    };
    ws.once('error', reject);
    // A node that is behind sheds before the upgrade (HTTP 503, Retry-After): come back after
    // the hint, jittered, as the SDK does.
    ws.once('unexpected-response', (request, response) => {
      request.destroy();
      sockets.splice(sockets.indexOf(ws), 1);
      if (response.statusCode !== 503) return reject(new Error(`HTTP ${response.statusCode}`));
      const waitMs = Number(response.headers['retry-after'] ?? 1) * 1000 * (0.5 + Math.random());
      setTimeout(() => openWs(port, channel, localAddress).then(resolve, reject), waitMs);
    });
    // Refused after the upgrade (a close code instead of the welcome): fail, do not hang.
    ws.once('close', (code: number) => {
      if (!ready) reject(new Error(`closed with ${code} before it was ready`));
    });
    const deltas = dialect === 'channels-delta' ? new DeltaDecoder() : undefined;
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (ready) {
        if (DECODING.has(dialect)) {
          if (isBinary) unpackFrame(raw);
          else if (deltas) deltas.decode(raw.toString());
          else JSON.parse(raw.toString());
          return onPushText('', 1);
        }
        if (dialect !== 'socket.io') return onPushText(latencies ? raw.toString() : '', 1);
        const text = raw.toString();
        if (text === '2') return ws.send('3');
        if (text.startsWith('42')) onPushText(text, 1);
        return;
      }
      // Before it is ready, a MessagePack frame is read as the JSON text of its value.
      const text = isBinary ? JSON.stringify(unpackFrame(raw)) : raw.toString();
      if (channels && text.includes('"connected"')) {
        if (!channel) return done();
        const delta = dialect === 'channels-delta' ? { delta: 'fossil' } : {};
        const subscribe = { id: 1, event: 'subscribe', data: { channel, ...delta } };
        ws.send(dialect === 'channels-msgpack' ? packFrame(subscribe) : JSON.stringify(subscribe));
      } else if (channels && text.includes('"id":1')) done();
      else if (dialect === 'nest' && text.includes('"joined"')) done();
      else if (dialect === 'socket.io' && text.startsWith('0')) ws.send('40');
      else if (dialect === 'socket.io' && text.startsWith('40')) done();
    });
    ws.once('open', () => {
      if (dialect === 'ws-raw') done();
      else if (dialect === 'nest') {
        if (!channel) return done();
        ws.send(JSON.stringify({ event: 'join', data: { channel } }));
      }
    });
  });
}

function openSse(port: number, channel: string, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, path: `/channels/sse?channel=${channel}`, agent },
      (response) => {
        let ready = false;
        let last = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          // One event ends with a blank line; a chunk may split its two newlines.
          let count = 0;
          let text = last + chunk;
          for (let i = text.indexOf('\n\n'); i >= 0; i = text.indexOf('\n\n', i + 2)) count++;
          last = chunk.endsWith('\n') && !chunk.endsWith('\n\n') ? '\n' : '';
          if (!ready) {
            if (!text.includes('event: connected')) return;
            ready = true;
            count--; // the connected event
            text = '';
            resolve();
          }
          if (count > 0) onPushText(latencies ? text : '', count);
        });
      },
    );
    request.once('error', reject);
    streams.push(request);
    request.end();
  });
}

async function open(op: OpenOp): Promise<void> {
  dialect = op.dialect;
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  // In parallel, a bounded number at a time: a burst of thousands would be refused by the
  // listen backlog.
  let next = 0;
  const worker = async () => {
    while (next < op.channels.length) {
      const i = next++;
      const local = op.localAddresses[i % op.localAddresses.length]!;
      if (dialect === 'sse') await openSse(op.port, op.channels[i]!, agent);
      else await openWs(op.port, op.channels[i]!, local);
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

// Echo commands over every open socket, `inFlight` outstanding on each, for `durationMs`.
function echo(op: EchoOp): Promise<number> {
  let answered = 0;
  const stopAt = now() + op.durationMs;
  return new Promise((resolve) => {
    let open = sockets.length;
    for (const ws of sockets) {
      let id = 1_000;
      let outstanding = 0;
      const send = () => {
        id++;
        outstanding++;
        const data = `{"n":${id}}`;
        if (dialect === 'channels') ws.send(`{"id":${id},"event":"echo","data":${data}}`);
        else if (dialect === 'nest') ws.send(`{"event":"echo","data":${data}}`);
        else ws.send(`42${id}["echo",${data}]`);
      };
      ws.removeAllListeners('message');
      ws.on('message', (raw: Buffer) => {
        const text = raw.toString();
        if (dialect === 'socket.io' && text === '2') return ws.send('3');
        if (dialect === 'socket.io' && !text.startsWith('43')) return;
        answered++;
        outstanding--;
        if (now() < stopAt) send();
        else if (outstanding === 0 && --open === 0) resolve(answered);
      });
      for (let i = 0; i < op.inFlight; i++) send();
    }
  });
}

process.on('message', (op: Op) => {
  if (op.op === 'open') {
    open(op).then(
      () => reply({ op: 'opened' }),
      (error: Error) => reply({ op: 'failed', error: error.message }),
    );
  } else if (op.op === 'arm') {
    received = 0;
    bytesAtArm = bytesRead();
    cpuAtArm = cpuUs();
    latencies = op.latency ? [] : undefined;
  } else if (op.op === 'await') {
    if (received >= op.expect) reply(reachedReport());
    else waiting = { expect: op.expect };
  } else if (op.op === 'echo') {
    void echo(op).then((answered) => reply({ op: 'echoed', answered }));
  } else if (op.op === 'pause') {
    // A reader that stops reading: its socket's buffers fill, then the server's.
    for (const ws of sockets) (ws as unknown as { _socket?: { pause(): void } })._socket?.pause();
  } else if (op.op === 'close') {
    for (const ws of sockets) ws.terminate();
    for (const stream of streams) stream.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
reply({ op: 'ready' });
