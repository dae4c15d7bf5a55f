/** The README's code the readme specs run, as written there. */
export interface ReadmeCode {
  /** The quick start's code block (.generated/quick-start.ts). */
  quickStart: string;
  /** The first e2e test's code block, as in the README (.generated/first-test.ts imports the quick start). */
  firstTest: string;
}

/** Writes the README's code to .generated/ (a file that is already up to date is left alone). */
export function writeReadmeCode(): ReadmeCode;
