// Must compile: the right names, payloads and handlers, and untyped code as before.
import type { Observable } from 'rxjs';
import { ChannelsClient, type PushFrame } from '../../lib/client/index.js';
import { ChannelsService, OnJoin, OnMessage } from '../../lib/index.js';
import {
  lobby,
  ping,
  roomChannel,
  send,
  SendReply,
  typing,
  userChannel,
  type ChatApi,
} from './contract.fixture.js';

export async function typedClient(client: ChannelsClient<ChatApi>): Promise<void> {
  const reply: SendReply = await client.request('chat.send', { text: 'hi' });
  const pong: 'pong' = await client.request('chat.ping');
  await client.request('chat.ping', {}, { timeoutMs: 5 });
  await client.subscribe('user:alice', (note) => note.title.toUpperCase());
  await client.subscribe('room:1:en', (data, push) => {
    if (push.event === 'said') push.data.text.toUpperCase();
    else push.data.by.toUpperCase();
    return data.by;
  });
  await client.subscribe('lobby', (count: number) => count + 1);
  for await (const word of client.stream('chat.typing')) word.toUpperCase();
  client.stream('chat.typing', undefined, { onValue: (word) => word.toUpperCase() });
  void reply.id.length;
  void pong;
}

export async function untypedClient(client: ChannelsClient): Promise<void> {
  const page = await client.request<{ items: string[] }>('anything', { any: 1 });
  const unknownReply: unknown = await client.request('anything');
  await client.subscribe<{ title: string }>('user:alice', (note) => note.title);
  await client.subscribe('broadcast', (a: { title: string }, push: PushFrame<{ title: string }>) =>
    a.title.concat(push.channel),
  );
  await client.subscribe('x', (data) => data);
  for await (const n of client.stream<number>('anything', { any: 1 })) void (n + 1);
  void page.items;
  void unknownReply;
}

export async function server(channels: ChannelsService): Promise<void> {
  await channels.publish(userChannel.to({ userId: 'alice' }), 'note', { id: '1', title: 't' });
  await channels.publish(roomChannel.to({ roomId: '1', lang: 'en' }), 'left', { by: 'bob' });
  await channels.publish(lobby.to(), 'count', 3);
  // Untyped, as before.
  await channels.publish('anything:1', 'whatever', { any: true });
}

export class Gateway {
  @OnJoin(userChannel)
  canJoin(): boolean {
    return true;
  }

  @OnJoin('legacy:{id}')
  canJoinLegacy(): boolean {
    return true;
  }

  @OnMessage(send)
  send(): Promise<SendReply> {
    return Promise.resolve({ id: '1' });
  }

  @OnMessage(ping)
  ping(): Observable<'pong'> | 'pong' {
    return 'pong';
  }

  @OnMessage(typing)
  async *typing(): AsyncGenerator<string> {
    yield 'hi';
  }

  @OnMessage('legacy.event', { reply: SendReply })
  legacy(): number {
    return 1;
  }
}
