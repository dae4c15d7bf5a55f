import { startSampleProcess, type SampleProcess } from '../../support/sample-process.js';
import {
  launchBrowser,
  signIn,
  text,
  type LoggedPage,
  type TestBrowser,
} from './support/browser.js';
import { SampleApi } from './support/sample-api.js';

// The sample page in real headless Chromium, on the SSE + POST fallback.
const SECRET = 'browser-sse-test-secret';

describe('the sample page in Chromium, on the SSE fallback', () => {
  let sample: SampleProcess;
  let browser: TestBrowser;
  let api: SampleApi;
  let sender: string;

  beforeAll(async () => {
    sample = await startSampleProcess({ PORT: '0', SAMPLE_TOKEN_SECRET: SECRET });
    api = new SampleApi(sample.url);
    sender = await api.login('ops');
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sample?.stop();
  });

  async function openSignedIn(
    userId: string,
    options: { blockWebSocket?: boolean; query?: string } = {},
  ): Promise<LoggedPage> {
    const page = await browser.newPage({ blockWebSocket: options.blockWebSocket });
    await page.goto(new URL(options.query ?? '', sample.url).toString());
    await signIn(page, userId);
    return page;
  }

  it('falls back to SSE when WebSocket is blocked, says so, and still receives notifications', async () => {
    const page = await openSignedIn('dave', { blockWebSocket: true });
    expect(await text(page, '#transport')).toBe('sse');
    expect(await page.isVisible('#transport-note')).toBe(true);
    expect(await text(page, '#transport-note')).toContain('fallback');

    const id = await api.notify(sender, 'dave', 'Over SSE', 'no WebSocket here');
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
    const id = await api.notify(sender, 'erin', 'Forced SSE');
    await page.waitForSelector(`#notifications li[data-id="${id}"]`, { timeout: 1_000 });
    await page.close();
  });

  it('reconnects on SSE after a server restart and shows what was sent meanwhile', async () => {
    const page = await openSignedIn('frank', { blockWebSocket: true });
    await sample.stop();
    await page.waitForSelector('#state[data-state=reconnecting]');
    await browser.context.setOffline(true);
    sample = await startSampleProcess({ PORT: String(sample.port), SAMPLE_TOKEN_SECRET: SECRET });
    const token = await api.login('ops');
    const id = await api.notify(token, 'frank', 'Sent while you were away');
    await browser.context.setOffline(false);
    await page.waitForSelector('#state[data-state=connected]', { timeout: 30_000 });
    await page.waitForSelector(`#notifications li[data-id="${id}"]`);
    expect(await text(page, '#transport')).toBe('sse');
    expect(await text(page, '#unread')).toBe('1');
    await page.close();
  });
});
