import { useSamplePage } from './support/sample-page.harness.js';
import { text } from './support/browser.js';

// The sample page in real headless Chromium, on the SSE + POST fallback.
const SECRET = 'browser-sse-test-secret';

describe('the sample page in Chromium, on the SSE fallback', () => {
  const harness = useSamplePage(SECRET);
  const { openSignedIn } = harness;

  it('falls back to SSE when WebSocket is blocked, says so, and still receives notifications', async () => {
    const page = await openSignedIn('dave', { blockWebSocket: true });
    expect(await text(page, '#transport')).toBe('sse');
    expect(await page.isVisible('#transport-note')).toBe(true);
    expect(await text(page, '#transport-note')).toContain('fallback');

    const id = await harness.api.notify(harness.sender, 'dave', 'Over SSE', 'no WebSocket here');
    await page.waitForSelector(`#notifications li[data-id="${id}"]`, { timeout: 1_000 });
    expect(await text(page, '#unread')).toBe('1');

    // Commands go out as POSTs: mark-read works the same.
    await page.click(`#notifications li[data-id="${id}"] button.mark-read`);
    await page.waitForSelector(`#notifications li[data-id="${id}"][data-read=true]`);
    expect(await text(page, '#unread')).toBe('0');
    expect(page.logs.filter((line) => line.startsWith('pageerror'))).toEqual([]);
    await page.close();
  });

  it('uses SSE when ?transport=sse asks for it', async () => {
    const page = await openSignedIn('erin', { query: '?transport=sse' });
    expect(await text(page, '#transport')).toBe('sse');
    expect(await text(page, '#transport-note')).toContain('?transport=sse');
    const id = await harness.api.notify(harness.sender, 'erin', 'Forced SSE');
    await page.waitForSelector(`#notifications li[data-id="${id}"]`, { timeout: 1_000 });
    await page.close();
  });

  it('reconnects on SSE after a server restart and shows what was sent meanwhile', async () => {
    const page = await openSignedIn('frank', { blockWebSocket: true });
    await harness.stop();
    await page.waitForSelector('#state[data-state=reconnecting]');
    await harness.browser.context.setOffline(true);
    await harness.restart();
    const token = await harness.api.login('ops');
    const id = await harness.api.notify(token, 'frank', 'Sent while you were away');
    await harness.browser.context.setOffline(false);
    await page.waitForSelector('#state[data-state=connected]', { timeout: 30_000 });
    await page.waitForSelector(`#notifications li[data-id="${id}"]`);
    expect(await text(page, '#transport')).toBe('sse');
    expect(await text(page, '#unread')).toBe('1');
    await page.close();
  });
});
