import { useSamplePage } from './support/sample-page.harness.js';
import { text } from './support/browser.js';

// The SDK's MessagePack encoding in a real browser: the codec chunk loads only when asked for.
const SECRET = 'browser-msgpack-test-secret';

const loadedCodec = (page: { evaluate<T>(fn: () => T): Promise<T> }) =>
  page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .some((entry) => entry.name.includes('/chunks/msgpack.codec-')),
  );

describe('the sample page in Chromium, on MessagePack', () => {
  const harness = useSamplePage(SECRET);

  it('speaks MessagePack with ?encoding=msgpack, and a JSON page never loads the codec', async () => {
    const page = await harness.openSignedIn('gina', { query: '?encoding=msgpack' });
    expect(await text(page, '#transport')).toBe('websocket');
    expect(await loadedCodec(page)).toBe(true);
    const id = await harness.api.notify(harness.sender, 'gina', 'Packed', 'in MessagePack');
    await page.waitForSelector(`#notifications li[data-id="${id}"]`, { timeout: 2_000 });
    await page.click(`#notifications li[data-id="${id}"] button.mark-read`);
    await page.waitForSelector(`#notifications li[data-id="${id}"][data-read=true]`);
    expect(await text(page, '#unread')).toBe('0');
    expect(page.logs.filter((line) => line.startsWith('pageerror'))).toEqual([]);
    await page.close();

    const plain = await harness.openSignedIn('hank');
    const other = await harness.api.notify(harness.sender, 'hank', 'Plain JSON');
    await plain.waitForSelector(`#notifications li[data-id="${other}"]`, { timeout: 2_000 });
    expect(await loadedCodec(plain)).toBe(false);
    await plain.close();
  });
});
