/**
 * Real specs come from npm (DESIGN.md, "Real data"): fetched once into
 * `.cache/npm/<name>@<version>/package`, which git ignores, and reused.
 * Safe to call from several test files at once: extraction happens in a
 * private folder that is renamed into place.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The project's cache folder for downloaded fixtures. */
export const CACHE_DIR = resolve(import.meta.dirname, '../../.cache');

/**
 * Download and unpack an npm package; returns the path of its `package`
 * folder. Uses `npm pack`, so it needs only the npm registry.
 */
export async function npmFixture(name: string, version: string): Promise<string> {
  const safe = `${name.replace('/', '__')}@${version}`;
  const target = join(CACHE_DIR, 'npm', safe);
  const done = join(target, 'package');
  if (existsSync(done)) return done;
  await mkdir(join(CACHE_DIR, 'npm'), { recursive: true });
  const work = await mkdtemp(join(CACHE_DIR, 'npm', `.tmp-${safe}-`));
  try {
    const { stdout } = await run('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', work], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const tarball = stdout.trim().split('\n').pop();
    if (!tarball) throw new Error(`npm pack ${name}@${version} printed no file name`);
    await run('tar', ['-xzf', join(work, tarball), '-C', work]);
    await rm(join(work, tarball));
    try {
      await rename(work, target);
    } catch (error) {
      // Another process finished first: use its copy.
      if (!existsSync(done)) throw error;
      await rm(work, { recursive: true, force: true });
    }
    return done;
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

/** List files under a folder, recursively, relative paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}
