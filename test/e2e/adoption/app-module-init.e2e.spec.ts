import type { LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { resolve } from 'node:path';
import { ChannelsService } from 'nestjs-channels';
import { ChannelsTestHarness } from 'nestjs-channels/testing';
import { AppModule } from '../../../sample/src/app.module.js';
import { DemoTokenService } from '../../../sample/src/auth/demo-token.service.js';
import { NotificationsController } from '../../../sample/src/notifications/notifications.controller.js';
import { readSampleConfig } from '../../../sample/src/sample.config.js';

// Issue 20, item 1: the most common Nest test, `compile()` then `init()` on the app's own
// AppModule (here the sample's: channels, AsyncAPI, metrics, health, controllers, a gateway),
// keeps passing after the module is added, and ChannelsTestHarness works on it.
describe('an AppModule init()ed without an HTTP application', () => {
  let moduleRef: TestingModule;
  const debug: string[] = [];
  const logger: LoggerService = {
    log: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    debug: (message: unknown) => void debug.push(String(message)),
  };

  beforeAll(async () => {
    const config = readSampleConfig(
      { SAMPLE_TOKEN_SECRET: 'app-module-init' },
      resolve('sample/public'),
    );
    moduleRef = await Test.createTestingModule({
      imports: [AppModule.forConfig(config, [])],
    }).compile();
    moduleRef.useLogger(logger);
    await moduleRef.init();
  });
  afterAll(() => moduleRef.close());

  it('starts without transports and says so once, at debug level', () => {
    const said = debug.filter((line) => /WebSocket and SSE endpoints are not attached/.test(line));
    expect(said).toHaveLength(1);
    expect(moduleRef.get(ChannelsService).connectionCount()).toBe(0);
  });

  it('runs the gateway and the service through ChannelsTestHarness', async () => {
    const harness = await ChannelsTestHarness.create(moduleRef);
    const token = moduleRef.get(DemoTokenService).issue('alice');
    // Without a principal the app's own handshake guard decides, as at a real handshake.
    const alice = await harness.connect({ token });
    await alice.subscribe('user:alice');
    await expect(alice.subscribe('user:bob')).rejects.toMatchObject({ code: 'FORBIDDEN' });

    // The controller publishes through ChannelsService, as a POST would.
    const { id } = await moduleRef
      .get(NotificationsController)
      .notify({ userId: 'alice', title: 'Hello', body: 'from a unit test' });
    const push = await alice.nextPush('user:alice');
    expect(push).toMatchObject({ event: 'notification', data: { id, title: 'Hello' } });

    expect(await alice.request('notifications.markRead', { ids: [id] })).toEqual({ unread: 0 });
    await expect(alice.request('notifications.markRead', { ids: [] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});

describe('ChannelsTestHarness.create on an AppModule that is not init()ed yet', () => {
  it('initializes it without an HTTP application', async () => {
    const config = readSampleConfig({}, resolve('sample/public'));
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forConfig(config, [])],
    }).compile();
    moduleRef.useLogger(false);
    const harness = await ChannelsTestHarness.create(moduleRef);
    const bob = await harness.connect({ principal: { userId: 'bob' } });
    expect(await bob.request('notifications.list', {})).toEqual({ items: [], unread: 0 });
    await moduleRef.close();
  });
});
