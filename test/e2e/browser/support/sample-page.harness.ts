import { startSampleProcess, type SampleProcess } from '../../../support/sample-process.js';
import { launchBrowser, signIn, type LoggedPage, type TestBrowser } from './browser.js';
import { SampleApi } from './sample-api.js';

/** Options of {@link SamplePageHarness.openSignedIn}. */
export interface OpenOptions {
  /** Make the page's WebSocket constructor throw, as a blocking proxy would. */
  blockWebSocket?: boolean;
  /** A query string for the page, such as `?transport=sse`. */
  query?: string;
}

/** The built sample in its own process, a browser, and a signed-in sender for the block. */
export interface SamplePageHarness {
  readonly sample: SampleProcess;
  readonly browser: TestBrowser;
  readonly api: SampleApi;
  /** A token of user `ops`, to notify from outside the page. */
  readonly sender: string;
  /** A new page on the sample, signed in as `userId`. */
  openSignedIn(userId: string, options?: OpenOptions): Promise<LoggedPage>;
  /** Stops the sample (SIGTERM, a graceful shutdown). */
  stop(): Promise<void>;
  /** Starts the sample again on the same port with the same token secret. */
  restart(): Promise<void>;
}

/** Registers the hooks of a browser spec: the sample and Chromium up for the block, then down. */
export function useSamplePage(secret: string): SamplePageHarness {
  let sample: SampleProcess | undefined;
  let browser: TestBrowser | undefined;
  let api: SampleApi | undefined;
  let sender = '';

  beforeAll(async () => {
    sample = await startSampleProcess({ PORT: '0', SAMPLE_TOKEN_SECRET: secret });
    api = new SampleApi(sample.url);
    sender = await api.login('ops');
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sample?.stop();
  });

  return {
    get sample() {
      return sample!;
    },
    get browser() {
      return browser!;
    },
    get api() {
      return api!;
    },
    get sender() {
      return sender;
    },
    async openSignedIn(userId, options = {}) {
      const page = await browser!.newPage({ blockWebSocket: options.blockWebSocket });
      await page.goto(new URL(options.query ?? '', sample!.url).toString());
      await signIn(page, userId);
      return page;
    },
    stop: () => sample!.stop(),
    async restart() {
      sample = await startSampleProcess({
        PORT: String(sample!.port),
        SAMPLE_TOKEN_SECRET: secret,
      });
    },
  };
}
