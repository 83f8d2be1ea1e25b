/**
 * The TypeScript blocks of README.md and docs/*.md, as a user would paste
 * them. A block's info string says what the docs test does with it:
 *
 * - ` ```ts ` (or ` ```typescript `): a complete module, type-checked;
 * - ` ```ts run `: also run: a script with tsx (it must exit 0 on its own),
 *   a block that imports `vitest` as a test file under vitest (it must pass);
 * - ` ```ts fragment `: deliberately incomplete (a few lines inside a larger
 *   program), not checked; the docs test keeps a list of them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root. */
export const root = resolve(import.meta.dirname, '../..');

/**
 * What each package specifier a snippet imports resolves to, relative to the
 * root: the package's own sources, from tsconfig.json `paths` (one line per
 * entry in package.json `exports`; tsc, tsx and vitest read the same list).
 */
export const ENTRY_POINTS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(
    (JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } })
      .compilerOptions.paths,
  ).map(([name, [path]]) => [name, path!]),
);

/** One TypeScript block of a Markdown page. */
export interface Snippet {
  /** Page, relative to the root (`docs/testing.md`). */
  file: string;
  /** 1-based line of the block's first code line. */
  line: number;
  mode: 'check' | 'run' | 'fragment';
  code: string;
}

/** README.md and every page of docs/. */
export function documentationPages(): string[] {
  return [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `docs/${f}`),
  ];
}

const OPEN = /^(\s*)```(ts|typescript)\b(.*)$/;

/** The TypeScript blocks of one page. */
export function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const words = open[3]!.trim().split(/\s+/).filter(Boolean);
    const unknown = words.filter((w) => w !== 'run' && w !== 'fragment');
    if (unknown.length > 0) throw new Error(`${file}:${i + 1}: unknown info string word(s) ${unknown.join(', ')}; use "run" or "fragment"`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++)
      body.push(lines[j]!.slice(Math.min(indent, /^\s*/.exec(lines[j]!)![0].length)));
    if (j === lines.length) throw new Error(`${file}:${i + 1}: the block is never closed`);
    const mode = words.includes('fragment') ? 'fragment' : words.includes('run') ? 'run' : 'check';
    found.push({ file, line: i + 2, mode, code: `${body.join('\n')}\n` });
    i = j;
  }
  return found;
}

/** A stable file name for a snippet: `docs/testing.md:42` → `docs-testing-md-42.ts`. */
export function snippetFileName(snippet: Snippet): string {
  return `${snippet.file.replace(/[^A-Za-z0-9]+/g, '-')}-${snippet.line}.ts`;
}
