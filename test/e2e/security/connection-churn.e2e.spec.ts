import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { compileFixture, type CompiledFixture } from '../../support/compile-fixture.js';

const run = promisify(execFile);

// The short CI version of `npm run churn` (30,000 sessions): enough sessions that the ~66 B a
// closed connection used to keep per its credentials' lifetime would pass 1 MB.
const SESSIONS = 20_000;

describe('security: connection churn', () => {
  let fixture: CompiledFixture;

  beforeAll(async () => {
    fixture = await compileFixture('soak/churn.ts');
  });
  afterAll(() => fixture?.cleanup());

  it(`keeps the heap after GC within 1 MB of its baseline over ${SESSIONS} sessions with long-lived credentials`, async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, CHURN_SESSIONS: String(SESSIONS) };
    delete env.NODE_OPTIONS;
    const { stdout } = await run(process.execPath, ['--expose-gc', fixture.file], {
      env,
      timeout: 240_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { growthBytes: number };
    // The measurement, for the CI log.
    console.log(JSON.stringify(result));
    expect(result.growthBytes).toBeLessThan(1024 * 1024);
  }, 300_000);
});
