import type { INestApplication } from '@nestjs/common';
import {
  ChannelGateway,
  ChannelsEvents,
  ChannelsModule,
  OnJoin,
  type CommandHandledEvent,
} from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { TestClient } from '../../support/ws-client.js';

@ChannelGateway()
class RoomGateway {
  @OnJoin('room:{id}', { presence: {} })
  join(): boolean {
    return true;
  }
}

// Every built-in command is a known event for the lifecycle stream (and so for the metrics'
// `event` label); `presence` used to be counted as "(unknown)".
describe('built-in commands in the lifecycle stream', () => {
  let app: INestApplication;
  let ws: string;
  const handled: CommandHandledEvent[] = [];

  beforeAll(async () => {
    ({ app, ws } = await startApp({
      imports: [ChannelsModule.forRoot({ auth: { principalKey: () => 'anyone' } })],
      providers: [RoomGateway],
    }));
    app.get(ChannelsEvents).on('command.handled', (event) => handled.push(event));
  });
  afterAll(() => app.close());

  it('reports subscribe, presence and unsubscribe as known events', async () => {
    const { client } = await TestClient.connect(`${ws}/channels`);
    try {
      await client.request('subscribe', { channel: 'room:1' });
      await client.request('presence', { channel: 'room:1' });
      await client.request('unsubscribe', { channel: 'room:1' });
      await client.request('no.such.event', {});
    } finally {
      client.close();
    }
    expect(handled.map(({ event, known }) => [event, known])).toEqual([
      ['subscribe', true],
      ['presence', true],
      ['unsubscribe', true],
      ['no.such.event', false],
    ]);
  });
});
