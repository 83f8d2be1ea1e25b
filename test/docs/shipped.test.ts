/**
 * The package ships what its own text points to. Every relative link of
 * README.md and docs/, and every path under docs/, examples/ or scripts/
 * they name, is in the packed file list (`npm pack --dry-run --json`), so it
 * resolves inside `node_modules/api-live-sync/`. The strings the code shows
 * at run time (error hints, CLI help) name such a page as
 * `node_modules/api-live-sync/docs/…`, a path a user's project has.
 * (Paths under src/, test/ and bench/ are named as the repository's own.)
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentationPages, root } from './snippets.js';

const run = promisify(execFile);
const INSTALLED = 'node_modules/api-live-sync/';
let packed: Set<string>;

beforeAll(async () => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
  const [report] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
  packed = new Set(report!.files.map((f) => f.path));
}, 60_000);

const ships = (path: string) => packed.has(path) || (path.endsWith('/') && [...packed].some((p) => p.startsWith(path)));

/** A path under docs/, examples/ or scripts/ in a text, and whether `node_modules/api-live-sync/` precedes it; URL paths (`/docs/openapi.json`) are left out. */
function namedPaths(text: string): Array<{ path: string; installed: boolean }> {
  const found: Array<{ path: string; installed: boolean }> = [];
  for (const m of text.matchAll(/(?:docs|examples|scripts)\/[\w./-]*/g)) {
    const before = text.slice(0, m.index);
    const installed = before.endsWith(INSTALLED);
    if (!installed && /[\w/.-]$/.test(before)) continue;
    found.push({ path: m[0].replace(/\.+$/, ''), installed });
  }
  return found;
}

/** The string literals and template texts of a source file: what it can show at run time (comments left out). */
function runtimeStrings(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const texts: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) texts.push(node.text);
    node.forEachChild(visit);
  };
  visit(source);
  return texts;
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

describe('what the package text points to ships in the package', () => {
  it('ships the docs pages and the examples', () => {
    expect(documentationPages().filter((page) => !packed.has(page))).toEqual([]);
    expect(readdirSync(join(root, 'examples')).filter((f) => !packed.has(`examples/${f}`))).toEqual([]);
  });

  it('every relative link and every docs/, examples/ or scripts/ path named in README.md and docs/ is in the package', () => {
    const missing: string[] = [];
    for (const page of documentationPages()) {
      const text = readFileSync(join(root, page), 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(m[1]!)) continue;
        const target = relative(root, join(root, dirname(page), m[1]!)).replaceAll('\\', '/') + (m[1]!.endsWith('/') ? '/' : '');
        if (!ships(target)) missing.push(`${page} links ${m[1]}`);
      }
      for (const { path } of namedPaths(text)) if (!ships(normalize(path))) missing.push(`${page} names ${path}`);
    }
    expect(missing).toEqual([]);
  });

  it('every page a hint or help text of the code names is reachable from a user project (node_modules/api-live-sync/…) and ships', () => {
    const bad: string[] = [];
    for (const file of sourceFiles(join(root, 'src'))) {
      for (const text of runtimeStrings(file)) {
        for (const { path, installed } of namedPaths(text)) {
          if (!installed) bad.push(`${relative(root, file)}: "${path}" is not reachable from a user's project; write ${INSTALLED}${path}`);
          else if (!ships(path)) bad.push(`${relative(root, file)}: ${path} is not in the package`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
