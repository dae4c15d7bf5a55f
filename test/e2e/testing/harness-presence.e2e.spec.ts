import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ChannelsModule } from 'nestjs-channels';
import { ChannelsTestHarness } from 'nestjs-channels/testing';
import { PresenceGateway } from '../presence/presence-app.js';

// Presence meets the in-process test client: a user's own tests see the diffs their
// subscribers would, without a socket.
describe('the in-process harness on a presence channel', () => {
  let moduleRef: INestApplicationContext;
  let harness: ChannelsTestHarness;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [ChannelsModule.forRoot({ transports: false, presence: { coalesceMs: 10 } })],
      providers: [PresenceGateway],
    }).compile();
    harness = await ChannelsTestHarness.create(moduleRef);
  });
  afterAll(() => moduleRef.close());

  it('delivers presence.diff pushes: a join, then the leave on close', async () => {
    const alice = await harness.connect({ principal: { id: 'alice' } });
    await alice.subscribe('room:t');
    const own = await alice.nextPush('room:t', { event: 'presence.diff' });
    expect(own.data).toEqual({ joins: [{ key: 'alice', info: { userId: 'alice' } }], leaves: [] });

    const bob = await harness.connect({ principal: { id: 'bob' } });
    await bob.subscribe('room:t');
    const joined = await alice.nextPush('room:t', { event: 'presence.diff' });
    expect(joined).toMatchObject({
      channel: 'room:t',
      data: { joins: [{ key: 'bob', info: { userId: 'bob' } }], leaves: [] },
    });
    expect(joined).not.toHaveProperty('offset');

    await bob.close();
    const left = await alice.nextPush('room:t', { event: 'presence.diff' });
    expect(left.data).toEqual({ joins: [], leaves: [{ key: 'bob', info: { userId: 'bob' } }] });
    expect(await alice.request('presence', { channel: 'room:t' })).toEqual({
      channel: 'room:t',
      members: [{ key: 'alice', connections: 1, info: { userId: 'alice' } }],
    });
  });
});
