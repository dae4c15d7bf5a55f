import {
  ConflictException,
  HttpException,
  NotFoundException,
  ValidationPipe,
  type LoggerService,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { IsString } from 'class-validator';
import { finalize, NEVER, of, type Observable } from 'rxjs';
import { ChannelGateway, ChannelsModule, MessageBody, OnMessage } from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { postCommand } from '../../support/sse-client.js';
import { waitFor } from '../../support/wait.js';
import { TestClient } from '../../support/ws-client.js';
import { TokenGuard } from '../security/gateways.js';

/** Keeps every log line, by level. */
class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; text: string }> = [];
  log(message: unknown) {
    this.add('log', message);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.add('error', [message, ...rest].join(' '));
  }
  warn(message: unknown) {
    this.add('warn', message);
  }
  debug(message: unknown) {
    this.add('debug', message);
  }
  verbose(message: unknown) {
    this.add('verbose', message);
  }
  errors(): string[] {
    return this.lines.filter((l) => l.level === 'error').map((l) => l.text);
  }
  private add(level: string, message: unknown) {
    this.lines.push({
      level,
      text: message instanceof Error ? String(message.stack) : String(message),
    });
  }
}

class NoteDto {
  @IsString() title!: string;
}

const state = { cancelled: false };

@ChannelGateway()
class FaultyGateway {
  @OnMessage('room.get')
  room(): never {
    throw new NotFoundException('Room 7 does not exist');
  }

  @OnMessage('room.take')
  take(): never {
    throw new ConflictException('Room 7 is taken');
  }

  @OnMessage('teapot')
  teapot(): never {
    throw new HttpException("I'm a teapot", 418);
  }

  @OnMessage('crash')
  crash(): never {
    throw new Error('database connection lost');
  }

  @OnMessage('note')
  note(@MessageBody() body: NoteDto): string {
    return body.title;
  }

  @OnMessage('three')
  three(): Observable<number> {
    return of(1, 2, 3);
  }

  @OnMessage('forever')
  forever(): Observable<never> {
    return NEVER.pipe(finalize(() => (state.cancelled = true)));
  }

  @OnMessage('brokenStream')
  async *brokenStream(): AsyncGenerator<number> {
    yield 1;
    throw new Error('disk gone');
  }
}

describe('errors keep their meaning, and are logged once when they are the server’s', () => {
  const logger = new CapturingLogger();
  let app: Awaited<ReturnType<typeof startApp>>;
  let client: TestClient;
  beforeAll(async () => {
    app = await startApp(
      {
        imports: [ChannelsModule.forRoot({ auth: { handshakeGuards: [TokenGuard] } })],
        providers: [FaultyGateway, TokenGuard],
      },
      { logger },
    );
    ({ client } = await TestClient.connect(`${app.ws}/channels`, {
      headers: { authorization: 'Bearer user-alice' },
    }));
  });
  afterAll(async () => {
    client.close();
    await app.app.close();
  });
  beforeEach(() => logger.lines.splice(0));

  it.each([
    ['room.get', 'NOT_FOUND', 404, 'Room 7 does not exist'],
    ['room.take', 'CONFLICT', 409, 'Room 7 is taken'],
    ['teapot', 'CLIENT_ERROR', 418, "I'm a teapot"],
  ])(
    '%s: an HttpException keeps its status, code %s, over WebSocket and SSE POST',
    async (event, code, status, message) => {
      expect((await client.request(event)).error).toEqual({ code, status, message });
      const answer = await postCommand(
        `${app.http}/channels/messages`,
        { id: 1, event },
        { authorization: 'Bearer user-alice' },
      );
      expect(answer.status).toBe(status);
      expect(answer.json.error).toEqual({ code, status, message });
      expect(logger.errors()).toEqual([]);
    },
  );

  it('keeps UNKNOWN_EVENT for "no handler" only', async () => {
    expect((await client.request('room.nothing')).error.code).toBe('UNKNOWN_EVENT');
  });

  it('answers a crash INTERNAL, logged once with its context and never the token', async () => {
    const { error } = await client.request('crash');
    expect(error).toEqual({ code: 'INTERNAL', message: 'Internal error.' });
    const errors = logger.errors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('event="crash"');
    expect(errors[0]).toContain('principal="alice"');
    expect(errors[0]).toMatch(/connectionId="[0-9a-f-]{36}"/);
    expect(errors[0]).toContain('database connection lost');
    expect(errors[0]).not.toContain('user-alice');
  });

  it('logs nothing at ERROR for a client mistake (VALIDATION_FAILED)', async () => {
    expect((await client.request('note', { title: 5 })).error.code).toBe('VALIDATION_FAILED');
    expect(logger.errors()).toEqual([]);
  });

  it('answers an Observable handler with a stream: each value a push on the stream channel, then stream.end', async () => {
    const reply = await client.request('three');
    expect(reply).toMatchObject({
      data: null,
      stream: { channel: expect.stringMatching(/^stream:/) },
    });
    const { channel, epoch } = reply.stream;
    const pushes = [];
    for (let i = 0; i < 4; i++) pushes.push(await client.next((f) => f.channel === channel));
    expect(pushes.map(({ event, data, offset }) => ({ event, data, offset }))).toEqual([
      { event: 'stream.data', data: 1, offset: 1 },
      { event: 'stream.data', data: 2, offset: 2 },
      { event: 'stream.data', data: 3, offset: 3 },
      { event: 'stream.end', data: null, offset: 4 },
    ]);
    expect(pushes.every((p) => p.epoch === epoch)).toBe(true);
  });

  it('ends a stream whose handler crashes with stream.error INTERNAL, logged once with its context', async () => {
    const { stream } = await client.request('brokenStream');
    const pushes = [
      await client.next((f) => f.channel === stream.channel),
      await client.next((f) => f.channel === stream.channel),
    ];
    expect(pushes.map(({ event, data }) => ({ event, data }))).toEqual([
      { event: 'stream.data', data: 1 },
      { event: 'stream.error', data: { code: 'INTERNAL', message: 'Internal error.' } },
    ]);
    await waitFor(() => logger.errors().length === 1);
    expect(logger.errors()[0]).toContain('where="stream"');
    expect(logger.errors()[0]).toContain('event="brokenStream"');
    expect(logger.errors()[0]).toContain('disk gone');
  });

  it("does not cancel a streamed handler when its connection closes; an unsubscribe of the principal's does", async () => {
    const { client: leaving } = await TestClient.connect(`${app.ws}/channels`, {
      headers: { authorization: 'Bearer user-bob' },
    });
    const { stream } = await leaving.request('forever');
    leaving.close();
    await leaving.closed;
    await new Promise((r) => setTimeout(r, 100));
    expect(state.cancelled).toBe(false);
    const { client: back } = await TestClient.connect(`${app.ws}/channels`, {
      headers: { authorization: 'Bearer user-bob' },
    });
    try {
      expect((await back.request('unsubscribe', { channel: stream.channel })).data).toEqual({
        channel: stream.channel,
        unsubscribed: false,
      });
      await waitFor(() => state.cancelled, 5_000, 'the handler to be cancelled');
    } finally {
      back.close();
    }
    expect(logger.errors()).toEqual([]);
  });
});

describe("an app's global ValidationPipe({ whitelist: true })", () => {
  it('does not silently change the documented validation: an extra property is still VALIDATION_FAILED', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ChannelsModule.forRoot({ auth: { handshakeGuards: [TokenGuard] } })],
      providers: [FaultyGateway, TokenGuard],
    }).compile();
    const nest = moduleRef.createNestApplication({ logger: false });
    // As a service's main.ts does, before it listens.
    nest.useGlobalPipes(new ValidationPipe({ whitelist: true }));
    await nest.listen(0, '127.0.0.1');
    const app = {
      app: nest,
      ws: `ws://127.0.0.1:${(nest.getHttpServer().address() as AddressInfo).port}`,
    };
    const { client } = await TestClient.connect(`${app.ws}/channels`, {
      headers: { authorization: 'Bearer user-alice' },
    });
    try {
      const answer = await client.request('note', { title: 'ok', extra: 1 });
      expect(answer.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ property: 'extra' }],
      });
      expect(await client.request('note', { title: 'ok' })).toMatchObject({ data: 'ok' });
    } finally {
      client.close();
      await app.app.close();
    }
  });
});

describe('a handshake guard that crashes', () => {
  it('is answered 1011 / HTTP 500 and logged once per handshake, with its context', async () => {
    const logger = new CapturingLogger();
    const crashing = {
      canActivate(): boolean {
        throw new TypeError("Cannot read properties of undefined (reading 'authorization')");
      },
    };
    const app = await startApp(
      {
        imports: [ChannelsModule.forRoot({ auth: { handshakeGuards: [crashing] } })],
        providers: [FaultyGateway],
      },
      { logger },
    );
    try {
      const client = await TestClient.open(`${app.ws}/channels`, {
        headers: { authorization: 'Bearer secret-token' },
      });
      expect((await client.closed).code).toBe(1011);
      const sse = await postCommand(`${app.http}/channels/messages`, { id: 1, event: 'note' });
      expect(sse.status).toBe(500);
      const errors = logger.errors();
      expect(errors).toHaveLength(2);
      expect(errors[0]).toContain('where="handshake"');
      expect(errors[0]).toContain('transport="websocket"');
      expect(errors[1]).toContain('transport="sse"');
      expect(errors.join('\n')).not.toContain('secret-token');
    } finally {
      await app.app.close();
    }
  });
});
