import type { PushFrame, ReplyFrame, StreamPosition } from '../protocol/frames.js';
import { ChannelsError } from './channels.error.js';
import { ReplyStream, type StreamOptions } from './reply-stream.js';
import type { PushHandler, SubscribeOptions } from './subscription.registry.js';

/** What opening a streamed reply needs of the client. */
export interface ReplyStreamClient {
  /** Sends a command; resolves with its whole reply frame. */
  requestReply(event: string, data: unknown, timeoutMs?: number): Promise<ReplyFrame>;
  /** Subscribes to a channel from a position (the client's subscription registry). */
  subscribeFrom(
    channel: string,
    handler: PushHandler,
    options: SubscribeOptions,
    from: StreamPosition,
  ): Promise<unknown>;
  /** Leaves a channel subscribed with {@link subscribeFrom}. */
  leave(channel: string): Promise<void>;
  /** Sends `unsubscribe` for a channel the client never subscribed itself. */
  unsubscribe(channel: string): Promise<unknown>;
  report(error: Error): void;
}

/**
 * Sends a command whose handler streams, and reads the stream channel its reply names: the
 * channel is subscribed from its start (offset 0 of its epoch), so values that overtook the
 * reply (over SSE they travel apart) are replayed, and after a reconnect the client's
 * subscriptions resume it with `since` like any channel. A reply that is a plain value is a
 * stream of that one value.
 * @example const words = openReplyStream<string>(client, 'notifications.digest', {}, {});
 */
export function openReplyStream<T>(
  client: ReplyStreamClient,
  event: string,
  data: unknown,
  options: StreamOptions<T>,
): ReplyStream<T> {
  const stream = new ReplyStream<T>(options, (error) => client.report(error));
  client.requestReply(event, data, options.timeoutMs).then(
    (reply) => {
      const info = reply.stream;
      if (!info) return stream.single(reply.data as T);
      let subscribed = false;
      let left = false;
      const leave = () => {
        if (left) return;
        left = true;
        const done = subscribed ? client.leave(info.channel) : client.unsubscribe(info.channel);
        done.catch(() => undefined);
      };
      stream.attach({ cancel: leave });
      if (stream.finished) return;
      subscribed = true;
      const onPush = (_data: unknown, push: PushFrame) => {
        stream.push(push);
        if (stream.finished) leave();
      };
      const onReset = () => {
        stream.fail(
          new ChannelsError(
            'INTERNAL',
            'The stream could not be resumed: its history no longer holds the values missed.',
            { channel: info.channel },
          ),
        );
        leave();
      };
      client
        .subscribeFrom(info.channel, onPush, { onReset }, { epoch: info.epoch, offset: 0 })
        .catch((error: unknown) => {
          stream.fail(toChannelsError(error));
          leave();
        });
    },
    (error: unknown) => stream.fail(toChannelsError(error)),
  );
  return stream;
}

function toChannelsError(error: unknown): ChannelsError {
  return error instanceof ChannelsError
    ? error
    : new ChannelsError('INTERNAL', error instanceof Error ? error.message : String(error));
}
