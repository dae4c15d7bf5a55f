import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { useSamplePage } from './support/sample-page.harness.js';
import { text } from './support/browser.js';

// The sample page in real headless Chromium, against the built sample in its own process,
// over WebSocket. (The SSE fallback has its own spec: sample-page.sse.e2e.spec.ts.)
const SECRET = 'browser-test-secret';

describe('the sample page in Chromium, over WebSocket', () => {
  const harness = useSamplePage(SECRET);
  const { openSignedIn } = harness;

  it('signs in, says it is on WebSocket, and shows a notification POSTed from outside within 1 s', async () => {
    const page = await openSignedIn('alice');
    expect(await text(page, '#transport')).toBe('websocket');
    expect(await page.isHidden('#transport-note')).toBe(true);
    expect(await text(page, '#unread')).toBe('0');

    const id = await harness.api.notify(harness.sender, 'alice', 'Build finished', 'main is green');
    const item = await page.waitForSelector(`#notifications li[data-id="${id}"]`, {
      timeout: 1_000,
    });
    expect(await item.textContent()).toContain('Build finished');
    expect(await text(page, '#unread')).toBe('1');
    await page.close();
  });

  it('shows the status channel (delivery latest): the totals and the latest titles', async () => {
    const page = await openSignedIn('dave');
    const before = Number(await text(page, '#status-announcements'));
    await harness.api.announce(harness.sender, 'Status check');
    await page.waitForFunction(
      (n) => Number(document.querySelector('#status-announcements')?.textContent) === n,
      before + 1,
      { timeout: 2_000 },
    );
    expect(await text(page, '#status-recent li:first-child')).toBe('Status check');
    await page.close();
  });

  it('marks a notification read and updates the unread count', async () => {
    const page = await openSignedIn('bob');
    const first = await harness.api.notify(harness.sender, 'bob', 'First');
    const second = await harness.api.notify(harness.sender, 'bob', 'Second');
    await page.waitForSelector(`#notifications li[data-id="${second}"]`);
    await page.waitForSelector(`#notifications li[data-id="${first}"]`);
    expect(await text(page, '#unread')).toBe('2');

    await page.click(`#notifications li[data-id="${first}"] button.mark-read`);
    await page.waitForSelector(`#notifications li[data-id="${first}"][data-read=true]`);
    expect(await text(page, '#unread')).toBe('1');

    await page.click('#mark-all');
    await page.waitForFunction(() => document.querySelector('#unread')?.textContent === '0');
    expect(await page.$$('#notifications li[data-read=false]')).toHaveLength(0);

    // The server agrees: a reload lists them read.
    await page.reload();
    await page.waitForSelector('#state[data-state=connected]');
    await page.waitForSelector(`#notifications li[data-id="${first}"][data-read=true]`);
    expect(await text(page, '#unread')).toBe('0');
    await page.close();
  });

  it('reconnects by itself after a server restart and shows what was sent meanwhile', async () => {
    const page = await openSignedIn('carol');
    const before = await harness.api.notify(harness.sender, 'carol', 'Before the restart');
    await page.waitForSelector(`#notifications li[data-id="${before}"]`);

    await harness.stop(); // SIGTERM: a graceful shutdown closes the socket with 1001
    await page.waitForSelector('#state[data-state=reconnecting]');
    // Keep the page away while the new server starts and the notifications are sent, so that
    // it reconnects only afterwards: they must come from recovery, not as live pushes.
    await harness.browser.context.setOffline(true);
    await harness.restart();
    const token = await harness.api.login('ops'); // same secret: the old token would do as well
    const during = [
      await harness.api.notify(token, 'carol', 'Sent while you were away'),
      await harness.api.notify(token, 'carol', 'And this one'),
    ];
    expect(await page.getAttribute('#state', 'data-state')).toBe('reconnecting');

    await harness.browser.context.setOffline(false);
    await page.waitForSelector('#state[data-state=connected]', { timeout: 30_000 });
    for (const id of during) await page.waitForSelector(`#notifications li[data-id="${id}"]`);
    expect(await text(page, '#unread')).toBe('2');
    expect(await text(page, '#transport')).toBe('websocket');

    // And it is live again.
    const after = await harness.api.notify(token, 'carol', 'After the restart');
    await page.waitForSelector(`#notifications li[data-id="${after}"]`, { timeout: 1_000 });
    await page.close();
  });

  // Written to .screenshots/ on every run; UPDATE_SCREENSHOT=1 refreshes the README's copy.
  it('takes the screenshot for the README', async () => {
    const page = await openSignedIn('alice');
    await harness.api.announce(harness.sender, 'Maintenance tonight at 22:00 UTC');
    const ids = [
      await harness.api.notify(
        harness.sender,
        'alice',
        'Deploy finished',
        'api v2.4.1 is live in eu-west',
      ),
      await harness.api.notify(
        harness.sender,
        'alice',
        'Review requested',
        'bob asked you to review #128',
      ),
      await harness.api.notify(harness.sender, 'alice', 'New comment', 'carol: "looks good to me"'),
    ];
    for (const id of ids) await page.waitForSelector(`#notifications li[data-id="${id}"]`);
    await page.click(`#notifications li[data-id="${ids[0]}"] button.mark-read`);
    await page.waitForSelector(`#notifications li[data-id="${ids[0]}"][data-read=true]`);
    await page.waitForTimeout(1_300); // let the arrival highlight fade
    expect(await text(page, '#unread')).toBe('2');
    const path =
      process.env.UPDATE_SCREENSHOT === '1'
        ? 'docs/screenshot.png'
        : '.screenshots/sample-page.png';
    mkdirSync(dirname(path), { recursive: true });
    await page.screenshot({ path, fullPage: true });
    await page.close();
  });
});
