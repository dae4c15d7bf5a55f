// Plain JavaScript, so that the same code runs in a test and, as a script, in a process of its
// own (`rawPostsFrom`). Types: raw-post.d.mts.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

export function rawPost(request, waitMs) {
  const { hostname, port, pathname } = new URL(request.url);
  const declared = request.declared ?? Buffer.byteLength(request.sent);
  const headers = {
    'Content-Type': 'application/json',
    ...request.headers,
    'Content-Length': String(declared),
  };
  const head =
    `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
    Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    '\r\n';
  return new Promise((resolve) => {
    const outcome = {
      status: 0,
      answeredMs: undefined,
      closedMs: undefined,
      retryAfter: undefined,
      body: '',
    };
    let text = '';
    let started = 0;
    const socket = connect(Number(port), hostname, () => {
      started = performance.now();
      socket.write(head + request.sent);
    });
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const end = text.indexOf('\r\n\r\n');
      outcome.body = end < 0 ? '' : text.slice(end + 4);
      resolve(outcome);
    };
    const timer = setTimeout(finish, waitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      text += chunk;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (status && outcome.answeredMs === undefined) {
        outcome.answeredMs = performance.now() - started;
        outcome.status = Number(status[1]);
      }
      outcome.retryAfter ??= /\r\nretry-after: (\S+)\r\n/i.exec(text)?.[1];
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      outcome.closedMs = performance.now() - started;
      finish();
    });
  });
}

export function rawPostsFrom(request, count, waitMs, spreadMs = 0) {
  const child = spawn(process.execPath, [SELF], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      RAW_POSTS: JSON.stringify({ request, count, waitMs, spreadMs }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const output = [];
  child.stdout.on('data', (chunk) => output.push(chunk));
  return new Promise((resolve, reject) => {
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`raw-post child exited with ${code}`));
      resolve(JSON.parse(Buffer.concat(output).toString()));
    });
  });
}

// Run as a script: the POSTs started evenly over `spreadMs` (0: all at once), then every
// outcome as JSON on stdout.
if (process.argv[1] === SELF && process.env.RAW_POSTS) {
  const { request, count, waitMs, spreadMs } = JSON.parse(process.env.RAW_POSTS);
  const started = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const due = started + (spreadMs * i) / count;
      while (performance.now() < due)
        await new Promise((r) => setTimeout(r, due - performance.now()));
      return rawPost(request, waitMs);
    }),
  );
  process.stdout.write(JSON.stringify(outcomes));
}
