// Each `@ts-expect-error` line must fail to compile (tsc reports an unused one as an error).
import { ChannelsClient } from '../../lib/client/index.js';
import { ChannelsService, OnMessage } from '../../lib/index.js';
import { lobby, ping, send, userChannel, type ChatApi, type NotePush } from './contract.fixture.js';

export async function wrongClient(client: ChannelsClient<ChatApi>): Promise<void> {
  // A wrong event name.
  // @ts-expect-error 'chat.sned' is not a command of ChatApi
  await client.request('chat.sned', { text: 'hi' });
  // A wrong payload.
  // @ts-expect-error `text` must be a string
  await client.request('chat.send', { text: 42 });
  // @ts-expect-error a missing payload
  await client.request('chat.send');
  // A wrong reply type.
  // @ts-expect-error the reply is SendReply, not a number
  const n: number = await client.request('chat.send', { text: 'hi' });
  // A wrong push handler.
  // @ts-expect-error user:* pushes are NotePush, not numbers
  await client.subscribe('user:alice', (note: number) => note);
  // @ts-expect-error NotePush has no `body`
  await client.subscribe('user:alice', (note) => note.body);
  // A channel the API does not have.
  // @ts-expect-error no pattern matches 'usr:alice'
  await client.subscribe('usr:alice', (note: NotePush) => note);
  // A streamed reply's values have the command's reply type.
  // @ts-expect-error the values of chat.typing are strings
  for await (const word of client.stream('chat.typing')) void (word satisfies number);
  // @ts-expect-error 'chat.typo' is not a command of ChatApi
  client.stream('chat.typo');
  void n;
}

export async function wrongServer(channels: ChannelsService): Promise<void> {
  // A wrong payload.
  // @ts-expect-error `title` is missing
  await channels.publish(userChannel.to({ userId: 'alice' }), 'note', { id: '1' });
  // A wrong event name.
  // @ts-expect-error 'notes' is not a push of user:{userId}
  await channels.publish(userChannel.to({ userId: 'alice' }), 'notes', { id: '1', title: 't' });
  // @ts-expect-error a missing channel parameter
  userChannel.to({});
  // @ts-expect-error `count` is a number
  await channels.publish(lobby.to(), 'count', '3');
}

export class WrongGateway {
  // A handler whose return type is not the declared reply.
  // @ts-expect-error send's reply is SendReply
  @OnMessage(send)
  send(): Promise<number> {
    return Promise.resolve(1);
  }

  // @ts-expect-error ping's reply is 'pong'
  @OnMessage(ping)
  ping(): string {
    return 'ping';
  }
}
