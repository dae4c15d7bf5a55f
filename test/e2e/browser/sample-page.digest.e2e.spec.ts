import type { Page } from 'playwright-core';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { startSampleProcess, type SampleProcess } from '../../support/sample-process.js';
import { launchBrowser, signIn, type LoggedPage, type TestBrowser } from './support/browser.js';
import { SampleApi } from './support/sample-api.js';

// The streamed digest on the sample page, in real Chromium: words one by one, and across a
// restart of the server (REDIS_URL: the notifications, and the stream's history, outlive it).
describe('the sample page streams the digest word by word', () => {
  let redis: RedisServer;
  let sample: SampleProcess;
  let browser: TestBrowser;
  let api: SampleApi;
  let env: Record<string, string>;

  // Every text the digest showed, in order, recorded in the page as it changes.
  const recordDigest = (page: Page) =>
    page.evaluate(() => {
      const target = document.querySelector('#digest-text')!;
      const seen: string[] = [];
      (window as unknown as { digestSeen: string[] }).digestSeen = seen;
      new MutationObserver(() => seen.push(target.textContent ?? '')).observe(target, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
  const seenTexts = (page: Page) =>
    page.evaluate(() => (window as unknown as { digestSeen: string[] }).digestSeen);
  const words = (text: string) => text.split(' ').filter(Boolean);
  // A page signed in as dana, recording the digest, that just pressed "Digest".
  const startDigest = async () => {
    const page = (await browser.newPage()) as LoggedPage;
    await page.goto(sample.url);
    await signIn(page, 'dana');
    await recordDigest(page);
    await page.click('#digest');
    return page;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    env = {
      PORT: '0',
      REDIS_URL: redis.url,
      SAMPLE_TOKEN_SECRET: 'digest-test-secret',
      SAMPLE_DIGEST_TOKEN_MS: '150',
    };
    sample = await startSampleProcess(env);
    env.PORT = String(sample.port);
    api = new SampleApi(sample.url);
    const sender = await api.login('ops');
    for (const title of ['Build finished', 'Deploy started', 'Review requested'])
      await api.notify(sender, 'dana', title);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sample?.stop();
    await redis?.stop();
  });

  let full: string[] = [];

  it('shows the words one at a time, then the whole text', async () => {
    const page = await startDigest();
    await page.waitForSelector('#digest-text[data-state=done]', { timeout: 15_000 });
    full = words((await page.textContent('#digest-text')) ?? '');
    expect(full.join(' ')).toBe('3 unread: Review requested, Deploy started, Build finished');
    // Each change added exactly one word.
    const counts = (await seenTexts(page)).map((t) => words(t).length).filter((n) => n > 0);
    expect(counts).toEqual(Array.from({ length: full.length }, (_, i) => i + 1));
    await page.close();
  });

  it('completes the text after the server restarts mid-digest, without a reload and without a repeated word', async () => {
    const page = await startDigest();
    await page.waitForFunction(
      () => (document.querySelector('#digest-text')?.textContent ?? '').split(' ').length >= 3,
    );
    await sample.stop();
    sample = await startSampleProcess(env);
    await page.waitForSelector('#digest-text[data-state=done]', { timeout: 30_000 });
    expect(words((await page.textContent('#digest-text')) ?? '')).toEqual(full);
    // The restart cut the stream for real: the page asked for the digest again.
    expect(page.logs.some((line) => line.includes('[digest] asking again'))).toBe(true);
    // The text only ever grew, a word at a time: no word shown twice, nothing taken back.
    const texts = (await seenTexts(page)).filter((t) => t !== '');
    for (let i = 1; i < texts.length; i++) {
      expect(texts[i]!.startsWith(texts[i - 1]!)).toBe(true);
      expect(words(texts[i]!).length).toBe(words(texts[i - 1]!).length + 1);
    }
    await page.close();
  });
});
