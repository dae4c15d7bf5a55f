import { UseGuards } from '@nestjs/common';
import {
  ChannelGateway,
  ChannelsModule,
  OnJoin,
  type ChannelsModuleOptions,
} from '../../../lib/index.js';
import { startApp } from '../../support/app.js';
import { postCommand, RawSseClient, type SseEvent } from '../../support/sse-client.js';
import { AUTH, tokenGuard, userNamedByToken } from '../../support/token.guard.js';
import { TestClient, type Frame } from '../../support/ws-client.js';

export interface User {
  id: string;
}

/** The token is the user's name. */
const NameGuard = tokenGuard(userNamedByToken);

@ChannelGateway()
@UseGuards(NameGuard)
export class PresenceGateway {
  /** Presence with join/leave pushes and an info chosen from the principal. */
  @OnJoin('room:{id}', {
    presence: { joinLeave: true, info: (user: User) => ({ userId: user.id }) },
  })
  canJoinRoom() {
    return true;
  }

  /** Presence listed on demand, no pushes. */
  @OnJoin('quiet:{id}', { presence: true })
  canJoinQuiet() {
    return true;
  }

  /** No presence. */
  @OnJoin('plain:{id}')
  canJoinPlain() {
    return true;
  }
}

/** Starts an app with the presence gateway; `options` are added to the module's. */
export function startPresenceApp(options: ChannelsModuleOptions = {}) {
  return startApp({
    imports: [
      ChannelsModule.forRoot({
        presence: { coalesceMs: 10 },
        auth: { handshakeGuards: [NameGuard] },
        ...options,
      }),
    ],
    providers: [PresenceGateway],
  });
}

/** A frame received by a peer: a reply, an error or a push (SSE: with the event's `id`). */
export interface PeerFrame extends Frame {
  /** Over SSE, the `id:` line of the event that carried it. */
  sseId?: string;
}

/** One connection of a user, on either transport, seen through the wire protocol. */
export interface Peer {
  request(event: string, data?: unknown): Promise<PeerFrame>;
  next(match: (frame: PeerFrame) => boolean): Promise<PeerFrame>;
  close(): void;
}

/** Opens a connection of `user` subscribed to `channel`, over `transport`. */
export async function openPeer(
  transport: 'websocket' | 'sse',
  urls: { ws: string; http: string },
  user: string,
  channel: string,
): Promise<Peer> {
  const auth = AUTH(user);
  if (transport === 'websocket') {
    const { client } = await TestClient.connect(`${urls.ws}/channels`, { headers: auth });
    const reply = await client.request('subscribe', { channel });
    if (!reply.data) throw new Error(`subscribe failed: ${JSON.stringify(reply)}`);
    return {
      request: (event, data) => client.request(event, data),
      next: (match) => client.next(match),
      close: () => client.close(),
    };
  }
  const url = `${urls.http}/channels/sse?channel=${encodeURIComponent(channel)}`;
  const { client, welcome } = await RawSseClient.connect(url, auth);
  const connectionId = welcome.json.connectionId as string;
  let nextId = 1;
  const asFrame = (event: SseEvent): PeerFrame => ({ ...event.json, sseId: event.id });
  return {
    async request(event, data) {
      const id = nextId++;
      const answer = await postCommand(
        `${urls.http}/channels/messages`,
        { id, event, data },
        { ...auth, 'X-Channels-Connection': connectionId },
      );
      return answer.json as PeerFrame;
    },
    async next(match) {
      return asFrame(
        await client.next((event) => event.json !== undefined && match(asFrame(event))),
      );
    },
    close: () => client.close(),
  };
}
