// A load-client process of the reconnect storm (`reconnect-storm.scenario.ts`): holds
// connections to the module, each subscribed to one channel, and when a connection is lost it
// comes back the way the SDK does: full-jitter backoff (`lib/client/backoff.ts`) by the SDK's
// close policy (`lib/client/close-policy.ts`), an HTTP 503 to the upgrade read as 1013 (busy:
// the schedule starts at attempt 1) and never sooner than its `Retry-After`, an attempt given
// up after the SDK's connect timeout, then the subscription again. Over IPC:
//  - `{ op: 'open', port, channels, local }`: answers `opened` once every connection is
//    subscribed (`local`: the loopback addresses to connect from, in turn);
//  - `{ op: 'watch' }` (sent before the server is killed): counts from now, answers
//    `back` once every connection was lost and is subscribed again, with what the storm cost
//    (see `StormReport`); `{ op: 'status' }` answers how far it got.
import { WebSocket } from 'ws';
import { backoffDelay } from '../lib/client/backoff.js';
import { decideOnClose } from '../lib/client/close-policy.js';

/** What one client process saw from `watch` until all its connections were back. */
export interface StormReport {
  op: 'back';
  /** When the last connection was subscribed again (ms, the harness's clock). */
  at: number;
  /** When each connection was subscribed again (ms, the harness's clock). */
  backAt: number[];
  /** Upgrades answered 503 (shed before the upgrade). */
  refused503: number;
  /** Connections closed with 1013 after the upgrade (the old fixed admission). */
  closed1013: number;
  /** Attempts refused by a closed port (the server was not listening yet). */
  portClosed: number;
  /** Any other failed attempt: a reset, a close before the subscription, an error reply. */
  otherFailures: number;
  /** The other failures by what they were (`HTTP 500`, `ECONNRESET`, `close 1006`...). */
  reasons: Record<string, number>;
  /** Connections subscribed when the report was made (all of them, unless timed out). */
  subscribed: number;
}

interface Slot {
  channel: string;
  local: string;
  attempt: number;
  subscribed: boolean;
  /** Lost since `watch` and not yet subscribed again. */
  due: boolean;
}

const now = () => performance.timeOrigin + performance.now();
const reply = (message: object) => process.send!(message);

let port = 0;
let slots: Slot[] = [];
let subscribed = 0;
let due = 0;
let backAt: number[] = [];
let counts = { refused503: 0, closed1013: 0, portClosed: 0, otherFailures: 0 };
let reasons: Record<string, number> = {};
let waiter: { op: 'opened' | 'back' } | undefined;
const sockets = new Set<WebSocket>();

function report(): void {
  if (!waiter || subscribed < slots.length || due > 0) return;
  const op = waiter.op;
  waiter = undefined;
  if (op === 'opened') reply({ op });
  else reply({ op, at: now(), backAt, subscribed, reasons, ...counts } satisfies StormReport);
}

/** Schedules the next attempt of `slot` as the SDK's connection manager does. */
function retry(slot: Slot, code: number, retryAfterMs = 0): void {
  const decision = decideOnClose(code);
  const minAttempt = decision.action === 'reconnect' ? decision.minAttempt : 0;
  const delay = Math.max(retryAfterMs, backoffDelay(Math.max(slot.attempt, minAttempt)));
  slot.attempt++;
  setTimeout(() => connect(slot), delay);
}

function connect(slot: Slot): void {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/channels`, { localAddress: slot.local });
  sockets.add(ws);
  let failed = false;
  // The SDK's `connectTimeoutMs` (10 s): an attempt without a welcome by then is given up. A
  // SYN the kernel dropped (a full listen queue) would otherwise wait for TCP's own retries.
  const timeout = setTimeout(() => fail(1006, 'otherFailures', 'connect timeout'), 10_000);
  // One failure per attempt, whichever of error, refusal or close reports it first.
  const fail = (code: number, kind: keyof typeof counts, reason = '', retryAfterMs = 0) => {
    clearTimeout(timeout);
    if (failed) return;
    failed = true;
    counts[kind]++;
    if (kind === 'otherFailures') reasons[reason] = (reasons[reason] ?? 0) + 1;
    sockets.delete(ws);
    ws.terminate();
    retry(slot, code, retryAfterMs);
  };
  ws.on('unexpected-response', (request, response) => {
    request.destroy();
    if (response.statusCode !== 503)
      return fail(1006, 'otherFailures', `HTTP ${response.statusCode}`);
    fail(1013, 'refused503', '', Number(response.headers['retry-after'] ?? 0) * 1000);
  });
  ws.on('error', (error: NodeJS.ErrnoException) =>
    fail(
      1006,
      error.code === 'ECONNREFUSED' ? 'portClosed' : 'otherFailures',
      error.code ?? error.message,
    ),
  );
  ws.on('close', (code: number) => {
    if (slot.subscribed) {
      // A live connection lost (the server went away): come back, the schedule from 0.
      slot.subscribed = false;
      subscribed--;
      slot.attempt = 0;
      sockets.delete(ws);
      return retry(slot, code);
    }
    fail(code, code === 1013 ? 'closed1013' : 'otherFailures', `close ${code}`);
  });
  ws.on('message', (raw: Buffer) => {
    if (slot.subscribed) return;
    const text = raw.toString();
    if (text.includes('"connected"')) {
      clearTimeout(timeout);
      ws.send(JSON.stringify({ id: 1, event: 'subscribe', data: { channel: slot.channel } }));
    } else if (text.startsWith('{"id":1')) {
      if (text.includes('"error"')) return fail(1011, 'otherFailures', 'subscribe refused');
      slot.subscribed = true;
      slot.attempt = 0;
      subscribed++;
      if (slot.due) {
        slot.due = false;
        due--;
        backAt.push(now());
      }
      report();
    }
  });
}

process.on(
  'message',
  (op: { op: string; port?: number; channels?: string[]; local?: string[] }) => {
    if (op.op === 'open') {
      port = op.port!;
      const local = op.local!;
      slots = op.channels!.map((channel, i) => ({
        channel,
        local: local[i % local.length]!,
        attempt: 0,
        subscribed: false,
        due: false,
      }));
      waiter = { op: 'opened' };
      // Opened at a bounded pace (the backlog would refuse a burst of thousands at once).
      slots.forEach((slot, i) => setTimeout(() => connect(slot), Math.floor(i / 50) * 10));
    } else if (op.op === 'watch') {
      counts = { refused503: 0, closed1013: 0, portClosed: 0, otherFailures: 0 };
      reasons = {};
      waiter = { op: 'back' };
      backAt = [];
      for (const slot of slots) slot.due = true;
      due = slots.length;
    } else if (op.op === 'status') {
      reply({ op: 'status', at: now(), backAt, subscribed, reasons, ...counts });
    } else if (op.op === 'close') {
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }
  },
);
process.on('disconnect', () => process.exit(0));
reply({ op: 'ready' });
