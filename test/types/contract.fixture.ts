// A small API declared once, used by the fixtures on both sides.
import { IsString } from 'class-validator';
import { defineChannel, defineCommand, shape, type ApiOf } from '../../lib/index.js';

export class NotePush {
  @IsString() id!: string;
  @IsString() title!: string;
}

export class SendDto {
  @IsString() text!: string;
}

export class SendReply {
  id!: string;
}

export const userChannel = defineChannel('user:{userId}', { note: NotePush });
export const roomChannel = defineChannel('room:{roomId}:{lang}', {
  said: shape<{ text: string; by: string }>(),
  left: shape<{ by: string }>(),
});
export const lobby = defineChannel('lobby', { count: shape<number>() });
export const send = defineCommand('chat.send', { payload: SendDto, reply: SendReply });
export const ping = defineCommand('chat.ping', { reply: shape<'pong'>() });
export const typing = defineCommand('chat.typing', { reply: shape<string>(), stream: true });

export type ChatApi = ApiOf<
  typeof userChannel | typeof roomChannel | typeof lobby | typeof send | typeof ping | typeof typing
>;
