import { resolve } from 'node:path';
import { WebSocket } from 'ws';
import { ChannelsClient } from '../../../lib/client/index.js';
import { readSampleConfig } from '../../../sample/src/sample.config.js';
import { startSample, type RunningSample } from '../../../sample/src/sample.app.js';
import { DemoTokenService } from '../../../sample/src/auth/demo-token.service.js';
import { TestClient } from '../../support/ws-client.js';

// The sample's contract (SAMPLE.md): its HTTP API, channels and commands, in process.
describe('the sample app (SAMPLE.md)', () => {
  let sample: RunningSample;
  let base: string;
  const clients: ChannelsClient[] = [];

  const post = (path: string, body: unknown, token?: string) =>
    fetch(new URL(path, base), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  const login = async (userId: string) =>
    ((await (await post('auth/demo-login', { userId })).json()) as { token: string }).token;
  const connect = async (userId: string) => {
    const client = new ChannelsClient({
      url: `${base}channels`,
      token: await login(userId),
      WebSocket,
      transports: ['websocket'],
    });
    clients.push(client);
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    const config = readSampleConfig(
      { PORT: '0', SAMPLE_TOKEN_SECRET: 'api-test-secret' },
      resolve('sample/public'),
    );
    sample = await startSample(config, false);
    base = sample.url;
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => sample.app.close());

  describe('POST /auth/demo-login', () => {
    it('answers 200 with a signed token', async () => {
      const response = await post('auth/demo-login', { userId: 'alice' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        token: expect.stringMatching(/^demo\.[\w-]+\.[\w-]+$/),
      });
    });

    it.each([['Alice'], [''], ['a'.repeat(33)], ['no spaces'], [42]])(
      'answers 400 for userId %p',
      async (userId) => {
        const response = await post('auth/demo-login', { userId });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({
          message: expect.arrayContaining([expect.stringContaining('userId')]),
        });
      },
    );
  });

  describe('POST /notifications', () => {
    it('answers 201 with the id, stores it, and publishes it on user:<id>', async () => {
      const alice = await connect('alice');
      const pushes: unknown[] = [];
      await alice.subscribe('user:alice', (data) => pushes.push(data));
      const response = await post(
        'notifications',
        { userId: 'alice', title: 'Hello', body: 'World' },
        await login('bob'),
      );
      expect(response.status).toBe(201);
      const { id } = (await response.json()) as { id: string };
      const listed = await alice.request<{
        items: Array<{ id: string; createdAt: string }>;
        unread: number;
      }>('notifications.list', {});
      expect(listed.items[0]).toEqual({
        id,
        title: 'Hello',
        body: 'World',
        createdAt: expect.any(String),
        read: false,
      });
      expect(pushes).toEqual([
        { id, title: 'Hello', body: 'World', createdAt: listed.items[0]!.createdAt },
      ]);
    });

    it('answers 401 without a valid token, before looking at the body', async () => {
      expect((await post('notifications', { userId: 'alice', title: 'x' })).status).toBe(401);
      expect(
        (await post('notifications', { userId: 'alice', title: 'x' }, 'demo.forged.token')).status,
      ).toBe(401);
      const other = new DemoTokenService({
        ...readSampleConfig({ SAMPLE_TOKEN_SECRET: 'another' }, ''),
      }).issue('alice');
      expect((await post('notifications', {}, other)).status).toBe(401);
    });

    it('answers 401 for an expired token', async () => {
      const tokens = new DemoTokenService(
        readSampleConfig({ SAMPLE_TOKEN_SECRET: 'api-test-secret' }, ''),
      );
      const expired = tokens.issue('alice', Date.now() - 2 * 60 * 60 * 1000);
      expect(tokens.verify(expired)).toBeUndefined();
      expect((await post('notifications', { userId: 'alice', title: 'x' }, expired)).status).toBe(
        401,
      );
    });

    it.each([
      ['an empty title', { userId: 'alice', title: '' }, 'title'],
      ['a 201-char title', { userId: 'alice', title: 'x'.repeat(201) }, 'title'],
      ['a 2001-char body', { userId: 'alice', title: 'ok', body: 'x'.repeat(2001) }, 'body'],
      ['a bad userId', { userId: 'Alice', title: 'ok' }, 'userId'],
      ['an unknown field', { userId: 'alice', title: 'ok', extra: 1 }, 'extra'],
    ])('answers 400 with field errors for %s', async (_label, body, field) => {
      const response = await post('notifications', body, await login('bob'));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string[] }).message.join(' ')).toContain(field);
    });
  });

  it('POST /announcements publishes on broadcast to every signed-in user', async () => {
    const [alice, bob] = [await connect('alice'), await connect('bob')];
    const heard: unknown[] = [];
    await alice.subscribe('broadcast', (data) => heard.push(['alice', data]));
    await bob.subscribe('broadcast', (data) => heard.push(['bob', data]));
    const response = await post('announcements', { title: 'Maintenance' }, await login('carol'));
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    await alice.request('notifications.list', {});
    await bob.request('notifications.list', {});
    const announcement = { id, title: 'Maintenance', createdAt: expect.any(String) };
    expect(heard).toEqual(
      expect.arrayContaining([
        ['alice', announcement],
        ['bob', announcement],
      ]),
    );
    expect((await post('announcements', { title: '' }, await login('carol'))).status).toBe(400);
  });

  it('lets only the user subscribe to user:<id>', async () => {
    const alice = await connect('alice');
    await expect(alice.subscribe('user:bob', () => undefined)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(alice.subscribe('user:alice', () => undefined)).resolves.toMatchObject({
      channel: 'user:alice',
    });
  });

  it('refuses a connection without a valid token with 4401', async () => {
    const client = await TestClient.open(`${base.replace('http', 'ws')}channels`, {
      protocols: ['channels.v1'],
    });
    expect(await client.closed).toMatchObject({ code: 4401 });
  });

  it('refuses a foreign Origin: the allow-list defaults to the app’s own origin', async () => {
    const foreign = TestClient.open(`${base.replace('http', 'ws')}channels`, {
      headers: { Origin: 'https://evil.example' },
    });
    await expect(foreign).rejects.toThrow('HTTP 403');
    const token = await login('alice');
    const own = await TestClient.connect(`${base.replace('http', 'ws')}channels`, {
      headers: { Origin: `http://localhost:${sample.port}` },
      protocols: ['channels.v1', `bearer.${token}`],
    });
    own.client.close();
  });

  describe('commands', () => {
    it('notifications.markRead answers the unread count after marking', async () => {
      const carol = await connect('carol');
      const sender = await login('ops');
      const ids: string[] = [];
      for (const title of ['one', 'two', 'three']) {
        ids.push(
          (
            (await (await post('notifications', { userId: 'carol', title }, sender)).json()) as {
              id: string;
            }
          ).id,
        );
      }
      expect(
        await carol.request('notifications.markRead', { ids: [ids[0], 'unknown-id'] }),
      ).toEqual({ unread: 2 });
      expect(await carol.request('notifications.markRead', { ids })).toEqual({ unread: 0 });
      // SAMPLE.md bounds the count of ids (1 to 100) and their emptiness, not their length.
      expect(
        await carol.request('notifications.markRead', { ids: ['x'.repeat(500), ...ids] }),
      ).toEqual({ unread: 0 });
      const listed = await carol.request<{ items: Array<{ read: boolean }>; unread: number }>(
        'notifications.list',
        {},
      );
      expect(listed.unread).toBe(0);
      expect(listed.items.every((item) => item.read)).toBe(true);
    });

    it.each([
      ['no ids', { ids: [] }],
      ['an empty id', { ids: [''] }],
      ['a number', { ids: [1] }],
      ['a string, not a list', { ids: 'n1' }],
      ['101 ids', { ids: Array.from({ length: 101 }, (_, i) => `n${i}`) }],
      ['no ids field', {}],
    ])('notifications.markRead answers VALIDATION_FAILED for %s', async (_label, data) => {
      const alice = await connect('alice');
      await expect(alice.request('notifications.markRead', data)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ property: expect.stringMatching(/^ids/) })],
      });
    });

    it('notifications.list answers the latest 50, newest first, with the unread count of all', async () => {
      const dave = await connect('dave');
      const sender = await login('ops');
      for (let n = 1; n <= 55; n++)
        await post('notifications', { userId: 'dave', title: `n${n}` }, sender);
      const listed = await dave.request<{ items: Array<{ title: string }>; unread: number }>(
        'notifications.list',
        {},
      );
      expect(listed.unread).toBe(55);
      expect(listed.items).toHaveLength(50);
      expect(listed.items[0]!.title).toBe('n55');
      expect(listed.items[49]!.title).toBe('n6');
    });
  });

  it('serves the page at GET /', async () => {
    const response = await fetch(base);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('<script type="module" src="/app.js">');
  });
});

describe('the sample configuration', () => {
  it('reads the environment, with SAMPLE.md defaults', () => {
    expect(readSampleConfig({}, '/p')).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      heartbeatMs: 25_000,
      heartbeatTimeoutMs: 10_000,
      allowedOrigins: undefined,
      tokenSecretIsDefault: true,
    });
    expect(
      readSampleConfig(
        {
          PORT: '0',
          HOST: '0.0.0.0',
          CHANNELS_HEARTBEAT_MS: '500',
          CHANNELS_HEARTBEAT_TIMEOUT_MS: '200',
          CHANNELS_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
          SAMPLE_TOKEN_SECRET: 's',
        },
        '/p',
      ),
    ).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      heartbeatMs: 500,
      heartbeatTimeoutMs: 200,
      allowedOrigins: ['https://a.example', 'https://b.example'],
      tokenSecret: 's',
      tokenSecretIsDefault: false,
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['CHANNELS_HEARTBEAT_MS', '0'],
  ])('names the variable when %s=%s is unusable', (name, value) => {
    expect(() => readSampleConfig({ [name]: value }, '/p')).toThrow(name);
  });
});
