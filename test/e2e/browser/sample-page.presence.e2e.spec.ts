import { useSamplePage } from './support/sample-page.harness.js';
import { text } from './support/browser.js';

// The sample page's "Online" list: the members of `broadcast`, kept live by presence.diff
// frames, in real headless Chromium against the built sample.
const SECRET = 'browser-presence-secret';

describe('the sample page in Chromium: who is online', () => {
  const harness = useSamplePage(SECRET);

  it('shows a second page signing in, and signing out', async () => {
    const alice = await harness.openSignedIn('alice');
    await alice.waitForSelector('#online li[data-user-id="alice"]');
    expect(await text(alice, '#online-count')).toBe('1');

    const bob = await harness.openSignedIn('bob');
    await alice.waitForSelector('#online li[data-user-id="bob"]');
    expect(await text(alice, '#online-count')).toBe('2');
    // Bob's page lists both as well (the list it fetched, with Alice already in it).
    await bob.waitForSelector('#online li[data-user-id="alice"]');

    await bob.click('#sign-out');
    await alice.waitForSelector('#online li[data-user-id="bob"]', { state: 'detached' });
    expect(await text(alice, '#online-count')).toBe('1');

    // Closing a page is the same as signing out.
    const carol = await harness.openSignedIn('carol');
    await alice.waitForSelector('#online li[data-user-id="carol"]');
    await carol.close();
    await alice.waitForSelector('#online li[data-user-id="carol"]', { state: 'detached' });
    expect(await text(alice, '#online')).toBe('alice');
    await bob.close();
    await alice.close();
  });

  it('shows a page on the SSE fallback coming and going, to a page on WebSocket', async () => {
    const alice = await harness.openSignedIn('alice');
    const dave = await harness.openSignedIn('dave', { query: '?transport=sse' });
    expect(await text(dave, '#transport')).toBe('sse');
    await alice.waitForSelector('#online li[data-user-id="dave"]');
    await dave.waitForSelector('#online li[data-user-id="alice"]');

    await dave.click('#sign-out');
    await alice.waitForSelector('#online li[data-user-id="dave"]', { state: 'detached' });
    await dave.close();
    await alice.close();
  });
});
