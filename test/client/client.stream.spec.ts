import type { INestApplication } from '@nestjs/common';
import { WebSocket } from 'ws';
import { ChannelsClient, type ChannelsError } from '../../lib/client/index.js';
import { startApp } from '../support/app.js';
import { sleep, waitFor } from '../support/wait.js';
import { StreamLog, streamApp } from '../e2e/streams/stream.gateway.js';

// client.stream on one node: callbacks, AbortSignal, and refusals.
describe('ChannelsClient.stream', () => {
  let app: INestApplication;
  let url: string;
  const log = new StreamLog();
  const clients: ChannelsClient[] = [];
  const client = () => {
    const c = new ChannelsClient({ url, token: 'alice', WebSocket, requestTimeoutMs: 5_000 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const started = await startApp(streamApp(log));
    app = started.app;
    url = `${started.http}/channels`;
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  it('hands each value to onValue, in order, then calls onEnd once', async () => {
    const values: number[] = [];
    let ends = 0;
    const stream = client().stream<number>(
      'count',
      { key: 'cb', n: 5, ms: 1 },
      {
        onValue: (v) => values.push(v),
        onEnd: () => ends++,
      },
    );
    await waitFor(() => ends === 1);
    expect(values).toEqual([1, 2, 3, 4, 5]);
    expect(stream.finished).toBe(true);
    await sleep(50);
    expect(ends).toBe(1);
  });

  it('cancels the stream on the server when its AbortSignal aborts (teardown once)', async () => {
    const controller = new AbortController();
    const values: number[] = [];
    for await (const value of client().stream<number>(
      'ticks',
      { key: 'abort', n: 10_000, ms: 5 },
      { signal: controller.signal },
    )) {
      values.push(value);
      if (value === 3) controller.abort();
    }
    expect(values).toEqual([1, 2, 3]);
    await waitFor(() => log.torn('abort') === 1, 5_000, 'the teardown');
    await sleep(100);
    expect(log.torn('abort')).toBe(1);
  });

  it('cancels a stream aborted before its reply arrived', async () => {
    const controller = new AbortController();
    const stream = client().stream<number>(
      'count',
      { key: 'early', n: 10_000, ms: 5 },
      { signal: controller.signal },
    );
    controller.abort();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    await waitFor(() => log.torn('early') === 1, 5_000, 'the teardown');
  });

  it('throws the refusal of the command from the iterator', async () => {
    let failure: ChannelsError | undefined;
    try {
      for await (const _ of client().stream('no.such.command', {})) void _;
    } catch (error) {
      failure = error as ChannelsError;
    }
    expect(failure).toMatchObject({ code: 'UNKNOWN_EVENT' });
  });

  it('reads a plain reply as a stream of that one value', async () => {
    const got: unknown[] = [];
    for await (const value of client().stream('whoami', {})) got.push(value);
    expect(got).toEqual(['alice']);
  });
});
