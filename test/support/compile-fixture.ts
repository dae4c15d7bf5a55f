import { build, type Plugin } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { PRINTED_PORT } from './fixture-app.js';
import { startNodeProcess, type StartedNodeProcess } from './node-process.js';

/** A fixture compiled to one runnable ES module. */
export interface CompiledFixture {
  /** The `.mjs` file to run with `node`. */
  readonly file: string;
  /** Removes the temporary directory. */
  cleanup(): void;
}

// esbuild cannot emit decorator metadata, which Nest's dependency injection reads: each .ts
// file is transpiled by TypeScript itself (as ts-jest does), and esbuild only bundles.
const typescriptTranspile: Plugin = {
  name: 'typescript-transpile',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, (args) => {
      const output = ts.transpileModule(readFileSync(args.path, 'utf8'), {
        fileName: args.path,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          useDefineForClassFields: false,
          sourceMap: false,
        },
      });
      return { contents: output.outputText, loader: 'js' };
    });
  },
};

/**
 * Compiles a TypeScript entry point (a small Nest app, say) and the project sources it imports
 * into one ES module in a temporary directory, for a test to run as a child process. Packages
 * stay external and resolve through a `node_modules` link to the project's.
 *
 * @example
 * const fixture = await compileFixture('test/e2e/security/broadcasting-app.fixture.ts');
 * const child = spawn(process.execPath, [fixture.file]);
 */
export async function compileFixture(entry: string): Promise<CompiledFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'channels-fixture-'));
  try {
    symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
    const file = join(dir, 'fixture.mjs');
    await build({
      entryPoints: [resolve(entry)],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      plugins: [typescriptTranspile],
      logLevel: 'silent',
    });
    return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A fixture app running in its own process, and the port it listens on. */
export interface FixtureApp extends StartedNodeProcess {
  readonly port: number;
}

/**
 * For the describe block it is called in: compiles the fixture app `entry` (one that calls
 * `listenAndPrintPort`) before the block; `start(env?)` runs it and resolves once it listens.
 * After the block the app is stopped (SIGTERM) if it still runs, and the compiled file removed.
 */
export function useFixtureApp(entry: string): {
  start(env?: NodeJS.ProcessEnv): Promise<FixtureApp>;
} {
  let fixture: CompiledFixture | undefined;
  let app: FixtureApp | undefined;
  beforeAll(async () => {
    fixture = await compileFixture(entry);
  });
  afterAll(async () => {
    await app?.stop();
    fixture?.cleanup();
  });
  return {
    async start(env = {}) {
      const started = await startNodeProcess([fixture!.file], { ready: PRINTED_PORT, env });
      app = { ...started, port: Number(started.ready[1]) };
      return app;
    },
  };
}
