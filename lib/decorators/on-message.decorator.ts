import { SetMetadata } from '@nestjs/common';
import { MESSAGE_METADATA } from '../channels.constants.js';

/**
 * Handles the command `event`. The return value (or the resolved value, or the last value of
 * an Observable) becomes the reply's `data`; a thrown exception becomes an error frame.
 *
 * @example
 * @OnMessage('message.send')
 * send(@MessageBody() dto: SendMessageDto) { return { ok: true }; }
 */
export function OnMessage(event: string): MethodDecorator {
  return SetMetadata(MESSAGE_METADATA, event);
}
