import type { ChannelsClient } from '../../lib/client/index.js';
import type { NotificationsApi } from '../src/notifications/notifications.contract.js';

/**
 * The "Digest" button: `notifications.digest` streamed into the page word by word, like an
 * assistant's answer. The SDK resumes the stream by itself after a reconnect; when the stream
 * is lost (its server restarted: the stream ends with an error, or its values are gone), the
 * digest is asked again and the words already shown are skipped: the same notifications give
 * the same words, so the text completes with no word twice.
 */
export async function showDigest(
  client: ChannelsClient<NotificationsApi>,
  output: HTMLElement,
  signal: AbortSignal,
): Promise<void> {
  const words: string[] = [];
  output.hidden = false;
  output.textContent = '';
  output.dataset.state = 'streaming';
  for (let attempt = 0; attempt < 5 && !signal.aborted; attempt++) {
    let skip = words.length;
    try {
      for await (const word of client.stream('notifications.digest', {}, { signal })) {
        if (skip > 0) {
          skip--;
          continue;
        }
        words.push(word);
        output.textContent = words.join(' ');
      }
      if (!signal.aborted) output.dataset.state = 'done';
      return;
    } catch (error) {
      console.warn('[digest] asking again after', error);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  if (!signal.aborted) output.dataset.state = 'failed';
}
