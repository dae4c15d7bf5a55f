import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, installed by apt (see .ci/run). */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A page that records what its console printed and the errors it threw. */
export type LoggedPage = Page & { logs: string[] };

/** A headless Chromium with a fresh profile, removed on close. */
export interface TestBrowser {
  context: BrowserContext;
  /** A new page that records what its console printed. */
  newPage(options?: { blockWebSocket?: boolean }): Promise<LoggedPage>;
  close(): Promise<void>;
}

/** In the page: a WebSocket constructor that throws, as where WebSocket is blocked. */
const BLOCK_WEBSOCKET = `
  window.WebSocket = class BlockedWebSocket {
    constructor() { throw new Error('WebSocket is blocked in this test'); }
  };
`;

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'channels-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 900, height: 640 },
  });
  return {
    context,
    async newPage(options = {}) {
      const page = (await context.newPage()) as LoggedPage;
      page.logs = [];
      page.on('console', (message) => page.logs.push(`${message.type()}: ${message.text()}`));
      page.on('pageerror', (error) => page.logs.push(`pageerror: ${error.message}`));
      if (options.blockWebSocket) await page.addInitScript(BLOCK_WEBSOCKET);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in on the sample page and waits until it is connected. */
export async function signIn(page: Page, userId: string): Promise<void> {
  await page.fill('#sign-in-form input[name=userId]', userId);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#state[data-state=connected]', { timeout: 15_000 });
}

/** The text of an element. */
export async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}
