import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve('.');
const fixtures = join(root, 'test/fixtures');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

const quiet = { stdio: 'pipe' as const, encoding: 'utf8' as const };

/**
 * Packs the package as a registry would get it: a clean clone of the committed tree, whose
 * `prepack` builds it (the project's `node_modules` linked in, nothing installed). Returns
 * the tarball's path.
 */
export function packCleanClone(work: string): string {
  const clone = cleanClone(work);
  execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { ...quiet, cwd: clone });
  return join(
    work,
    readdirSync(work).find((f) => f.endsWith('.tgz'))!,
  );
}

/**
 * Packs the client package (`npm run pack:client`) from a clean clone of the committed tree;
 * returns the tarball's path (in the clone's root, where the script writes it).
 */
export function packClientCleanClone(work: string): string {
  const clone = cleanClone(work);
  const name = execFileSync('npm', ['run', '--silent', 'pack:client'], { ...quiet, cwd: clone });
  return join(clone, name.trim().split('\n').pop()!);
}

// A clone of the committed tree in `work`/clone, the project's node_modules linked in.
function cleanClone(work: string): string {
  const clone = join(work, 'clone');
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', root, clone], quiet);
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
  return clone;
}

/** A fresh app from `fixture` (its package.json pins the Nest major), the tarball installed. */
export function installApp(work: string, fixture: string, tarball: string): string {
  const dir = join(work, fixture);
  mkdirSync(dir, { recursive: true });
  cpSync(join(fixtures, fixture), dir, { recursive: true });
  cpSync(join(fixtures, 'shared'), join(work, 'shared'), { recursive: true });
  cpSync(join(fixtures, 'shared/start-app.cjs'), join(dir, 'start-app.cjs'));
  cpSync(join(fixtures, 'typecheck'), join(dir, 'src'), { recursive: true });
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball],
    { ...quiet, cwd: dir },
  );
  return dir;
}

/**
 * Type-checks the app's `src` (server and client imports) with `tsc --noEmit` under a module
 * resolution (the package's declarations too with `skipLibCheck: false`); returns tsc's
 * output (empty when clean).
 */
export function typeCheck(
  dir: string,
  compilerOptions: { module: string; moduleResolution: string; skipLibCheck?: boolean },
): string {
  const { skipLibCheck = true } = compilerOptions;
  const name = `tsconfig.${compilerOptions.moduleResolution}${skipLibCheck ? '' : '.libcheck'}.json`;
  const config = {
    compilerOptions: {
      ...compilerOptions,
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      skipLibCheck,
      noEmit: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
    },
    include: ['src'],
  };
  writeFileSync(join(dir, name), JSON.stringify(config));
  try {
    execFileSync(process.execPath, [tsc, '-p', name], { ...quiet, cwd: dir });
    return '';
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}` || String(error);
  }
}
