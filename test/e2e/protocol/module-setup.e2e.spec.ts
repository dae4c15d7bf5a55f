import {
  Injectable,
  Module,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { map } from 'rxjs';
import {
  ChannelGateway,
  ChannelsModule,
  ChannelsService,
  ConnectedClient,
  MessageBody,
  OnMessage,
  type HandshakeClient,
  type Connection,
} from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { TestClient } from '../../support/ws-client.js';

@Injectable()
class SettingsService {
  readonly path = '/realtime';
  readonly heartbeatMs = 12_345;
}

@Module({ providers: [SettingsService], exports: [SettingsService] })
class SettingsModule {}

/** A global guard: runs at the handshake and on every message; `?user=` names the principal. */
@Injectable()
class GlobalUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const client = context.switchToWs().getClient<HandshakeClient<{ id: string }>>();
    const user = client.handshake.query.user;
    if (typeof user !== 'string') return false;
    client.principal ??= { id: user };
    return true;
  }
}

/** A global interceptor: tags every reply. */
@Injectable()
class GlobalTagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    return next.handle().pipe(map((data) => ({ type: context.getType(), data })));
  }
}

@ChannelGateway()
class WhoGateway {
  @OnMessage('who')
  who(@ConnectedClient() client: Connection<{ id: string }>, @MessageBody() _data: unknown) {
    return client.principal?.id;
  }
}

describe('module setup', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const started = await startApp({
      imports: [
        ChannelsModule.forRootAsync({
          imports: [SettingsModule],
          inject: [SettingsService],
          useFactory: (settings: SettingsService) => ({
            path: settings.path,
            heartbeat: { intervalMs: settings.heartbeatMs },
          }),
        }),
      ],
      providers: [
        WhoGateway,
        { provide: APP_GUARD, useClass: GlobalUserGuard },
        { provide: APP_INTERCEPTOR, useClass: GlobalTagInterceptor },
      ],
    });
    app = started.app;
    base = started.ws;
  });
  afterAll(() => app.close());

  it('takes its options from forRootAsync', async () => {
    const { client, welcome } = await TestClient.connect(`${base}/realtime?user=ann`);
    expect(welcome.data.heartbeatMs).toBe(12_345);
    client.close();
  });

  it('runs global guards at the handshake and global interceptors on handlers', async () => {
    const refused = await TestClient.open(`${base}/realtime`);
    expect(await refused.closed).toEqual({ code: 4403, reason: expect.any(String) });
    expect(refused.frames).toEqual([]);

    const { client } = await TestClient.connect(`${base}/realtime?user=ann`);
    expect(await client.request('who', {})).toEqual({ id: 1, data: { type: 'ws', data: 'ann' } });
    client.close();
  });

  it('disconnects every connection of a principal', async () => {
    const first = await TestClient.connect(`${base}/realtime?user=bo`);
    const second = await TestClient.connect(`${base}/realtime?user=bo`);
    const other = await TestClient.connect(`${base}/realtime?user=cy`);
    expect(app.get(ChannelsService).disconnect({ principal: { id: 'bo' } }, 4403, 'banned')).toBe(
      2,
    );
    expect(await first.client.closed).toEqual({ code: 4403, reason: 'banned' });
    expect(await second.client.closed).toEqual({ code: 4403, reason: 'banned' });
    expect((await other.client.request('who', {})).data.data).toBe('cy');
    other.client.close();
  });
});

describe('module setup on the defaults', () => {
  it('starts with forRoot() and no options at all', async () => {
    const { app, ws } = await startApp({ imports: [ChannelsModule.forRoot()] });
    try {
      const { client, welcome } = await TestClient.connect(`${ws}/channels`);
      expect(welcome.data).toMatchObject({ heartbeatMs: 25_000, protocol: 1 });
      client.close();
    } finally {
      await app.close();
    }
  });
});
