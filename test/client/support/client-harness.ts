import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  UseGuards,
  type INestApplication,
} from '@nestjs/common';
import { IsString, Length } from 'class-validator';
import { WebSocket } from 'ws';
import {
  ChannelsClient,
  type ChannelsClientOptions,
  type StateChange,
  type SubscribedInfo,
  type WebSocketConstructor,
} from '../../../lib/client/index.js';
import {
  ChannelGateway,
  ChannelParam,
  ChannelsModule,
  ChannelsService,
  ConnectedClient,
  MessageBody,
  OnJoin,
  OnMessage,
  type ChannelsModuleOptions,
  type Connection,
} from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { tokenGuard } from '../../support/token.guard.js';

/** The tokens the test server accepts, and whose they are. Tests add and revoke them. */
@Injectable()
export class TokenBook {
  readonly users = new Map<string, string>();
}

/** A token is whose the server's {@link TokenBook} says; `banned-token` is forbidden. */
export const TokenGuard = tokenGuard<{ id: string }, [TokenBook]>(
  (token, _handshake, book) => {
    if (token === 'banned-token') throw new ForbiddenException('Banned.');
    const user = book.users.get(token ?? '');
    if (!user) throw new UnauthorizedException('Unknown token.');
    return { id: user };
  },
  [TokenBook],
);

export class NameDto {
  @IsString() @Length(1, 10) name!: string;
}

export class SayDto {
  @IsString() @Length(1, 255) channel!: string;
  @IsString() text!: string;
}

@ChannelGateway()
@UseGuards(TokenGuard)
export class ClientTestGateway {
  constructor(private readonly channels: ChannelsService) {}

  @OnJoin('room:{roomId}')
  canJoinRoom(@ChannelParam('roomId') roomId: string) {
    return roomId !== 'secret';
  }

  // Join authorization that takes `ms`: commands sent after the subscribe may overtake it.
  @OnJoin('slow:{ms}')
  async canJoinSlowly(@ChannelParam('ms') ms: string) {
    await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    return true;
  }

  @OnJoin('user:{userId}')
  canJoinUser(
    @ConnectedClient() client: Connection<{ id: string }>,
    @ChannelParam('userId') userId: string,
  ) {
    return client.principal?.id === userId;
  }

  @OnMessage('echo')
  echo(@MessageBody() data: unknown) {
    return data;
  }

  @OnMessage('greet')
  greet(@MessageBody() dto: NameDto) {
    return `hello ${dto.name}`;
  }

  @OnMessage('whoami')
  whoami(@ConnectedClient() client: Connection<{ id: string }>) {
    return { id: client.principal?.id, token: client.handshake.token, transport: client.transport };
  }

  // The README quick start's pattern: everyone in the room hears it but the sender.
  @OnMessage('say')
  async say(@ConnectedClient() client: Connection, @MessageBody() dto: SayDto) {
    await this.channels.publish(dto.channel, 'said', dto.text, { except: client.id });
    return 'sent';
  }

  @OnMessage('slow')
  async slow(@MessageBody('ms') ms: number) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return 'done';
  }
}

/** A running test server: the Nest app, its base URL, and handles on its state. */
export interface TestServer {
  app: INestApplication;
  http: string;
  port: number;
  url: string;
  tokens: TokenBook;
  channels: ChannelsService;
}

/** Starts the module with the test gateway on 127.0.0.1 (port 0 unless given). */
export async function startServer(
  options: ChannelsModuleOptions = {},
  port = 0,
): Promise<TestServer> {
  const tokens = new TokenBook();
  tokens.users.set('alice-token', 'alice');
  const started =
    port === 0
      ? await startApp(metadata(options, tokens))
      : await startOnPort(options, tokens, port);
  const { app, http } = started;
  return {
    app,
    http,
    port: Number(new URL(http).port),
    url: `${http}/channels`,
    tokens,
    channels: app.get(ChannelsService),
  };
}

function metadata(options: ChannelsModuleOptions, tokens: TokenBook) {
  return {
    imports: [
      ChannelsModule.forRoot({
        path: '/channels',
        ...options,
        auth: { handshakeGuards: [TokenGuard], ...options.auth },
      }),
    ],
    providers: [{ provide: TokenBook, useValue: tokens }, TokenGuard, ClientTestGateway],
  };
}

async function startOnPort(options: ChannelsModuleOptions, tokens: TokenBook, port: number) {
  const { Test } = await import('@nestjs/testing');
  const moduleRef = await Test.createTestingModule(metadata(options, tokens)).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(port, '127.0.0.1');
  return { app, http: `http://127.0.0.1:${port}` };
}

/** A WebSocket constructor that throws, as in a page where WebSocket is blocked. */
export const BlockedWebSocket = class {
  constructor() {
    throw new Error('WebSocket is blocked here');
  }
} as unknown as WebSocketConstructor;

/** A WebSocket constructor that throws the first time (blocked), then is `ws`'s. */
export function webSocketBlockedAtFirst(): WebSocketConstructor {
  let constructed = 0;
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      if (constructed++ === 0) throw new Error('blocked for now');
      super(url, protocols);
    }
  } as unknown as WebSocketConstructor;
}

/** A client with `ws` as its WebSocket (Node 20 has none) and tests' usual short timers. */
export function createClient(
  options: Partial<ChannelsClientOptions> & { url: string },
): ChannelsClient {
  return new ChannelsClient({
    WebSocket,
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
    ...options,
  });
}

/** The server of one describe block, and a factory for clients that are closed after each test. */
export interface ClientHarness {
  /** The running server (available once `beforeAll` has run). */
  readonly server: TestServer;
  /** A client with the block's defaults, overridden by `options`. */
  client(options?: Partial<ChannelsClientOptions>): ChannelsClient;
  /** A client of the block, connected, and subscribed to `channel` with `inbox` as handler. */
  subscribedClient(
    channel: string,
    options?: Partial<ChannelsClientOptions>,
  ): Promise<{ c: ChannelsClient; inbox: Inbox }>;
  /** The server closes `c`'s connection; the log holds the client's state changes from then. */
  closeFromServer(c: ChannelsClient, code?: number, reason?: string): StateLog;
  /**
   * A getToken that hands out `<prefix>-1`, `<prefix>-2`, … in turn, each one alice's (the
   * server accepts it) from when it is issued; `issued` lists them.
   */
  issueTokens(prefix: string): { issued: string[]; getToken: () => string };
}

/**
 * Registers the hooks every client spec needs: a real server for the block (`serverOptions`),
 * every client made through `client()` closed after each test, the server closed at the end.
 */
export function useClientHarness(
  serverOptions: ChannelsModuleOptions = {},
  defaults: Partial<ChannelsClientOptions> = {},
): ClientHarness {
  let server: TestServer | undefined;
  const clients: ChannelsClient[] = [];
  beforeAll(async () => {
    server = await startServer(serverOptions);
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => server?.app.close());
  return {
    get server() {
      return server!;
    },
    client(options = {}) {
      const created = createClient({ url: server!.url, ...defaults, ...options });
      clients.push(created);
      return created;
    },
    async subscribedClient(channel, options) {
      const c = this.client(options);
      await c.connect();
      const inbox = new Inbox();
      await c.subscribe(channel, inbox.handler);
      return { c, inbox };
    },
    closeFromServer(c, code, reason) {
      const log = new StateLog(c);
      server!.channels.disconnect({ connectionId: c.connectionId! }, code, reason);
      return log;
    },
    issueTokens(prefix) {
      const issued: string[] = [];
      const getToken = () => {
        const token = `${prefix}-${issued.length + 1}`;
        server!.tokens.users.set(token, 'alice');
        issued.push(token);
        return token;
      };
      return { issued, getToken };
    },
  };
}

/** Connects `c`, expecting the server to refuse it with `error`; the client is then closed. */
export async function expectRefused(c: ChannelsClient, error: object): Promise<void> {
  await expect(c.connect()).rejects.toMatchObject(error);
  expect(c.state).toBe('closed');
}

/** Records a client's state changes; `until` waits for the next one that matches. */
export class StateLog {
  readonly changes: StateChange[] = [];
  private cursor = 0;
  private waiter?: { match: (c: StateChange) => boolean; resolve: (c: StateChange) => void };

  constructor(client: ChannelsClient) {
    client.on('state', (change) => {
      this.changes.push(change);
      this.check();
    });
  }

  /** The first change after the last one `until` returned that matches, now or when it comes. */
  until(match: (c: StateChange) => boolean, timeoutMs = 10_000): Promise<StateChange> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching state change; saw ${JSON.stringify(this.changes)}`)),
        timeoutMs,
      );
      this.waiter = { match, resolve: (c) => (clearTimeout(timer), resolve(c)) };
      this.check();
    });
  }

  states(): string[] {
    return this.changes.map((c) => c.state);
  }

  private check(): void {
    if (!this.waiter) return;
    while (this.cursor < this.changes.length) {
      const change = this.changes[this.cursor++]!;
      if (this.waiter.match(change)) {
        const { resolve } = this.waiter;
        this.waiter = undefined;
        return resolve(change);
      }
    }
  }
}

/** Resolves when the client renews `channel`'s subscription on a new connection. */
export function resubscribed(client: ChannelsClient, channel: string): Promise<SubscribedInfo> {
  return new Promise((resolve) => {
    const off = client.on('subscribed', (info) => {
      if (info.channel !== channel || !info.resubscribed) return;
      off();
      resolve(info);
    });
  });
}

/** Collects pushes; `count(n)` waits until n have arrived. */
export class Inbox<T = unknown> {
  readonly items: T[] = [];
  private waiter?: { n: number; resolve: () => void };

  readonly handler = (data: T): void => {
    this.items.push(data);
    if (this.waiter && this.items.length >= this.waiter.n) this.waiter.resolve();
  };

  count(n: number, timeoutMs = 10_000): Promise<T[]> {
    if (this.items.length >= n) return Promise.resolve(this.items);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`got ${this.items.length} of ${n}: ${JSON.stringify(this.items)}`)),
        timeoutMs,
      );
      this.waiter = { n, resolve: () => (clearTimeout(timer), resolve(this.items)) };
    });
  }
}
