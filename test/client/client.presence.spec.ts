import type { INestApplication } from '@nestjs/common';
import type { ChannelsClient, PresenceMember } from '../../lib/client/index.js';
import { ChannelsService } from '../../lib/index.js';
import { startPresenceApp } from '../e2e/presence/presence-app.js';
import { createClient, resubscribed, StateLog } from './support/client-harness.js';

interface Info {
  userId: string;
}

describe.each([['websocket'], ['sse']] as const)('ChannelsClient presence over %s', (transport) => {
  let app: INestApplication;
  let url: string;
  const clients: ChannelsClient[] = [];

  const client = (user: string) => {
    const c = createClient({ url, token: user, transports: [transport], random: () => 0 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const started = await startPresenceApp();
    app = started.app;
    url = `${started.http}/channels`;
  });
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  it('lists members and reports who joins and leaves', async () => {
    const alice = client('alice');
    const room = await alice.subscribe('room:1', () => undefined);
    const joined: string[] = [];
    const left: string[] = [];
    room.onJoin(({ key }) => joined.push(key));
    room.onLeave(({ key }) => left.push(key));
    expect(await room.presence()).toEqual([
      { key: 'alice', connections: 1, info: { userId: 'alice' } },
    ]);

    const bob = client('bob');
    await bob.subscribe('room:1', () => undefined);
    await until(() => joined.includes('bob'));
    const members = await alice.presence<Info>('room:1');
    expect(members.map((m) => m.info.userId).sort()).toEqual(['alice', 'bob']);

    bob.close();
    await until(() => left.includes('bob'));
    expect(left).toEqual(['bob']);
  });

  it('rejects presence() on a channel without presence with BAD_REQUEST', async () => {
    const alice = client('alice');
    const plain = await alice.subscribe('plain:1', () => undefined);
    await expect(plain.presence()).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('refetches the list after a reconnect and reports who left meanwhile', async () => {
    const alice = client('alice');
    const bob = client('bob');
    const room = await alice.subscribe('room:2', () => undefined);
    await bob.subscribe('room:2', () => undefined);
    const online = new Map<string, unknown>();
    const syncs: PresenceMember[][] = [];
    room.onJoin(({ key, info }) => online.set(key, info));
    room.onLeave(({ key }) => online.delete(key));
    room.onSync((members) => {
      syncs.push(members);
      online.clear();
      for (const m of members) online.set(m.key, m.info);
    });
    for (const m of await room.presence()) online.set(m.key, m.info);
    expect([...online.keys()].sort()).toEqual(['alice', 'bob']);

    const states = new StateLog(alice);
    const renewed = resubscribed(alice, 'room:2');
    const service = app.get(ChannelsService);
    service.disconnect({ principal: { id: 'alice' } }, 1012, 'restart');
    await states.until((c) => c.state === 'reconnecting');
    bob.close();
    await renewed;
    await until(() => syncs.length === 1);
    await until(() => !online.has('bob'));
    expect(syncs[0]!.map((m) => m.key)).toContain('alice');
    expect([...online.keys()]).toEqual(['alice']);
  });
  it('recovers the pushes missed while away, not the presence: the list is refetched instead', async () => {
    const alice = client('alice');
    const bob = client('bob');
    const pushes: unknown[] = [];
    const room = await alice.subscribe('room:4', (data) => pushes.push(data));
    await bob.subscribe('room:4', () => undefined);
    const joined: string[] = [];
    const left: string[] = [];
    room.onJoin(({ key }) => joined.push(key));
    room.onLeave(({ key }) => left.push(key));
    await room.presence();

    const states = new StateLog(alice);
    const renewed = resubscribed(alice, 'room:4');
    const service = app.get(ChannelsService);
    service.disconnect({ principal: { id: 'alice' } }, 1012, 'restart');
    await states.until((c) => c.state === 'reconnecting');
    // While Alice is away: a push, Bob leaves and Carol arrives.
    await service.publish('room:4', 'note', { n: 1 });
    bob.close();
    const carol = client('carol');
    await carol.subscribe('room:4', () => undefined);
    expect(await renewed).toMatchObject({ recovered: true });
    await until(() => joined.includes('carol') && left.includes('bob'));
    // The push handler got the recovered push and nothing of presence.
    expect(pushes).toEqual([{ n: 1 }]);
    expect(left).toEqual(['bob']);

    // And the diffs flow again on the new connection.
    const dave = client('dave');
    await dave.subscribe('room:4', () => undefined);
    await until(() => joined.includes('dave'));
    expect(pushes).toEqual([{ n: 1 }]);
  });
});

describe.each([['websocket'], ['sse']] as const)(
  'ChannelsClient presence over %s, several changes in one window',
  (transport) => {
    let app: INestApplication;
    let url: string;
    const clients: ChannelsClient[] = [];
    const client = (user: string) => {
      const c = createClient({ url, token: user, transports: [transport], random: () => 0 });
      clients.push(c);
      return c;
    };

    beforeAll(async () => {
      // A window long enough to hold every change below.
      const started = await startPresenceApp({ presence: { coalesceMs: 300 } });
      app = started.app;
      url = `${started.http}/channels`;
    });
    afterEach(() => clients.splice(0).forEach((c) => c.close()));
    afterAll(() => app.close());

    it('calls onJoin once per member that a diff holds, then onLeave once per member', async () => {
      const alice = client('alice');
      const room = await alice.subscribe('room:5', () => undefined);
      const calls: string[] = [];
      room.onJoin(({ key, info }) => calls.push(`join ${key} ${(info as Info).userId}`));
      room.onLeave(({ key }) => calls.push(`leave ${key}`));
      await until(() => calls.includes('join alice alice'));

      const others = ['bob', 'carol', 'dave'].map(client);
      await Promise.all(others.map((c) => c.subscribe('room:5', () => undefined)));
      await until(() => calls.length === 4);
      expect(calls.slice(1).sort()).toEqual(['join bob bob', 'join carol carol', 'join dave dave']);

      others.forEach((c) => c.close());
      await until(() => calls.length === 7);
      expect(calls.slice(4).sort()).toEqual(['leave bob', 'leave carol', 'leave dave']);
      expect((await room.presence()).map((m) => m.key)).toEqual(['alice']);
    });
  },
);

async function until(check: () => boolean, attempts = 250): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not reached');
}
