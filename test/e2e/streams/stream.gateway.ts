import { ConflictException, Injectable, UseGuards } from '@nestjs/common';
import { finalize, interval, map, take, type Observable } from 'rxjs';
import {
  ChannelGateway,
  ChannelsModule,
  ConnectedClient,
  MessageBody,
  OnJoin,
  OnMessage,
  type ChannelsModuleOptions,
  type Connection,
} from '../../../lib/index.js';
import { tokenGuard, userNamedByToken } from '../../support/token.guard.js';

/** What the streams' handlers did: teardowns run, per stream key. */
@Injectable()
export class StreamLog {
  readonly teardowns = new Map<string, number>();
  readonly produced = new Map<string, number>();

  torn(key: string): number {
    return this.teardowns.get(key) ?? 0;
  }
}

export const StreamTokenGuard = tokenGuard(userNamedByToken);

interface CountDto {
  key: string;
  n: number;
  ms: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@ChannelGateway()
@UseGuards(StreamTokenGuard)
export class StreamGateway {
  constructor(private readonly log: StreamLog) {}

  @OnJoin('room:{id}')
  canJoin() {
    return true;
  }

  // An async generator: 1..n, `ms` apart; its `finally` is the teardown.
  @OnMessage('count')
  async *count(@MessageBody() { key, n, ms }: CountDto): AsyncGenerator<number> {
    try {
      for (let i = 1; i <= n; i++) {
        if (ms > 0) await pause(ms);
        this.log.produced.set(key, i);
        yield i;
      }
    } finally {
      this.log.teardowns.set(key, this.log.torn(key) + 1);
    }
  }

  // An Observable: 1..n, `ms` apart; `finalize` is the teardown.
  @OnMessage('ticks')
  ticks(@MessageBody() { key, n, ms }: CountDto): Observable<number> {
    return interval(ms).pipe(
      take(n),
      map((i) => i + 1),
      finalize(() => this.log.teardowns.set(key, this.log.torn(key) + 1)),
    );
  }

  // Two values, then the app's own exception: the stream ends with its code.
  @OnMessage('fails')
  async *fails(): AsyncGenerator<string> {
    yield 'a';
    yield 'b';
    throw new ConflictException('Out of words.');
  }

  @OnMessage('whoami')
  whoami(@ConnectedClient() client: Connection<{ id: string }>) {
    return client.principal?.id;
  }
}

/** The module and providers of a streams test app; `log` is shared by every node of a test. */
export function streamApp(log: StreamLog, options: ChannelsModuleOptions = {}) {
  return {
    imports: [
      ChannelsModule.forRoot({
        ...options,
        auth: { handshakeGuards: [StreamTokenGuard], ...options.auth },
      }),
    ],
    providers: [{ provide: StreamLog, useValue: log }, StreamTokenGuard, StreamGateway],
  };
}
