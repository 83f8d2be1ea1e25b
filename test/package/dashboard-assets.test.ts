/**
 * What the review dashboard costs the package: its built assets
 * (dist/dashboard/, as `npm pack --dry-run --json` lists them) stay under
 * 100 KB, and the root entry never loads them: no module the root entry
 * imports, in the ESM or the CommonJS build, holds the code that reads them
 * (only api-live-sync/server does, and only when `dashboard` is on).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
let packed: Array<{ path: string; size: number }>;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/dashboard/dashboard.js')) || !existsSync(join(root, 'dist/index.js'))) {
    await run('npx', ['tsup'], { cwd: root });
  }
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
  packed = (JSON.parse(stdout) as Array<{ files: Array<{ path: string; size: number }> }>)[0]!.files;
}, 300_000);

/** Every file of dist/ that `entry` loads, following relative `import`/`export … from`/`require()`/`import()`. */
function loadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s*|import\s*\(?\s*|require\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
      visit(resolve(dirname(file), m[1]!));
    }
  };
  visit(join(root, entry));
  return seen;
}

/** Whether a built module holds the code that reads the dashboard's assets. */
const readsAssets = (file: string) => readFileSync(file, 'utf8').includes('dashboard.css');

describe('the dashboard in the package', () => {
  it('ships its script and style sheet in dist/dashboard/, under 100 KB together', () => {
    const assets = packed.filter((f) => f.path.startsWith('dist/dashboard/'));
    expect(assets.map((f) => f.path).sort()).toEqual(['dist/dashboard/dashboard.css', 'dist/dashboard/dashboard.js']);
    const bytes = assets.reduce((sum, f) => sum + f.size, 0);
    expect(bytes).toBeGreaterThan(5_000);
    expect(bytes).toBeLessThan(100 * 1024);
  });

  it('the root entry loads none of it, in either format; the server entry is what does', () => {
    for (const entry of ['dist/index.js', 'dist/index.cjs']) {
      const files = [...loadedBy(entry)];
      expect(files.length, entry).toBeGreaterThan(1);
      expect(
        files.filter((f) => f.includes('/dashboard/') || readsAssets(f)),
        entry,
      ).toEqual([]);
    }
    for (const entry of ['dist/server.js', 'dist/server.cjs']) {
      expect([...loadedBy(entry)].some(readsAssets), entry).toBe(true);
    }
  });
});
