/**
 * Docs that paste: every TypeScript block of README.md and docs/*.md is a
 * complete module that type-checks under `--strict` with `nodenext` against
 * the package's own types, all in one compiler program; the blocks marked
 * `run` are also run, as real child processes.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { ENTRY_POINTS, documentationPages, root, snippetFileName, snippetsOf, type Snippet } from './snippets.js';

const run = promisify(execFile);
const snippets = documentationPages().flatMap(snippetsOf);
const where = (s: Snippet) => `${s.file}:${s.line}`;

/**
 * The blocks marked `fragment`, by page and first line, and why. Keep this
 * list short: each one is a block the test cannot check.
 */
const FRAGMENTS: Record<string, string> = {
  "docs/server.md: import Fastify from 'fastify';": 'complete, but Fastify is not a dependency of this repository',
  "docs/server.md: import Koa from 'koa';": 'complete, but Koa is not a dependency of this repository',
};

/** What a user's tsconfig says in a fresh `"type": "module"` project with TypeScript's strict defaults. */
const options = (paths: Record<string, string[]>): ts.CompilerOptions => ({
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  skipLibCheck: true,
  noEmit: true,
  paths,
});

const entryPaths = Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, path]) => [name, [join(root, path)]]));

/** Type-check every snippet in one program; the snippets live in a folder of the repository that exists only in memory. */
function typeCheck(list: readonly Snippet[]): string[] {
  const dir = join(root, '.doc-snippets');
  const files = new Map(list.map((s) => [join(dir, snippetFileName(s)), s]));
  const compilerOptions = options(entryPaths);
  const host = ts.createCompilerHost(compilerOptions);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name)?.code ?? readFile.call(host, name);
  host.getSourceFile = (name, language, ...rest) => {
    const snippet = files.get(name);
    return snippet ? ts.createSourceFile(name, snippet.code, language, true) : getSourceFile.call(host, name, language, ...rest);
  };
  const program = ts.createProgram([...files.keys()], compilerOptions, host);
  const problems: string[] = [];
  for (const [name, snippet] of files) {
    const source = program.getSourceFile(name)!;
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const { line } = source.getLineAndCharacterOfPosition(d.start ?? 0);
      problems.push(`${snippet.file}:${snippet.line + line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  return problems;
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('the TypeScript blocks of README.md and docs/', () => {
  it('finds the blocks of every page (the extraction can fail)', () => {
    expect(snippets.length).toBeGreaterThan(40);
    expect(new Set(snippets.map((s) => s.file))).toContain('README.md');
    expect(new Set(snippets.map((s) => s.file))).toContain('docs/testing.md');
  });

  it('keeps the deliberate fragments few, and named', () => {
    expect(snippets.filter((s) => s.mode === 'fragment').map((s) => `${s.file}: ${s.code.split('\n')[0]}`)).toEqual(Object.keys(FRAGMENTS));
  });

  it('type-check under --strict with nodenext against the package types, every block a complete module', () => {
    const checked = snippets.filter((s) => s.mode !== 'fragment');
    expect(typeCheck(checked)).toEqual([]);
  }, 60_000);

  it('the checker sees an undefined name, a missing import and a strict-mode error (it can fail)', () => {
    const probe = (line: number, code: string): Snippet => ({ file: 'probe.md', line, mode: 'check', code });
    const problems = typeCheck([
      probe(10, "import { SyncEngine } from 'api-live-sync';\nawait new SyncEngine().addSource({ id: 'a', source, target });\n"),
      probe(20, 'const engine = new SyncEngine();\nexport { engine };\n'),
      probe(30, 'export const twice = (x) => [x, x];\n'),
    ]);
    expect(problems.map((p) => /^\S+ TS\d+/.exec(p)![0])).toEqual([
      'probe.md:11: TS18004',
      'probe.md:11: TS18004',
      'probe.md:20: TS2304',
      'probe.md:30: TS7006',
    ]);
  }, 60_000);

  const isTest = (s: Snippet) => /from 'vitest'/.test(s.code);
  const scripts = snippets.filter((s) => s.mode === 'run' && !isTest(s));
  it.each(scripts.map((s) => [where(s), s] as const))('%s runs and exits 0', async (_name, snippet) => {
    expect(await runSnippet(snippet.code)).toEqual({ exitCode: 0, stderr: '' });
  });

  const tests = snippets.filter((s) => s.mode === 'run' && isTest(s));
  it('the test blocks marked run pass under vitest, in one child run', async () => {
    expect(tests.filter((s) => s.file === 'docs/testing.md')).toHaveLength(2);
    const report = await runTests(tests);
    expect(report.testResults.map((r) => [r.name, r.status])).toEqual(
      tests.map((s) => [snippetFileName(s).replace(/\.ts$/, '.test.ts'), 'passed']),
    );
  }, 60_000);

  it('a run block that throws fails (the runner can fail)', async () => {
    const outcome = await runSnippet(
      "import { rules } from 'api-live-sync';\nrules([{ match: { path: 'x' }, take: 'sideways' as 'local' }]);\n",
    );
    expect(outcome.exitCode).not.toBe(0);
    expect(outcome.stderr).toContain('CONFIG_INVALID');
  });
});

/**
 * Run test snippets with vitest, as a child process with the repository's
 * config (which maps the package names to the sources), from a folder inside
 * the repository (so `vitest` resolves) that is git-ignored.
 */
async function runTests(list: readonly Snippet[]): Promise<{ testResults: Array<{ name: string; status: string }> }> {
  const dir = mkdtempSync(join(root, '.cache', 'doc-snippets-'));
  scratch.push(dir);
  mkdirSync(join(dir, 'test'));
  for (const s of list) writeFileSync(join(dir, 'test', snippetFileName(s).replace(/\.ts$/, '.test.ts')), s.code);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  const out = join(dir, 'report.json');
  await run(join(root, 'node_modules/.bin/vitest'), ['run', '--dir', dir, '--reporter=json', `--outputFile=${out}`], {
    cwd: root,
    env,
    timeout: 50_000,
  }).catch(() => undefined);
  const report = JSON.parse(readFileSync(out, 'utf8')) as { testResults: Array<{ name: string; status: string }> };
  return { testResults: report.testResults.map((r) => ({ name: basename(r.name), status: r.status })) };
}

/** Run a snippet with tsx in a fresh `"type": "module"` folder whose tsconfig maps the package names to the sources. */
async function runSnippet(code: string): Promise<{ exitCode: number; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'als-snippet-'));
  scratch.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', paths: entryPaths } }),
  );
  writeFileSync(join(dir, 'snippet.ts'), code);
  try {
    const { stderr } = await run(join(root, 'node_modules/.bin/tsx'), ['snippet.ts'], { cwd: dir, timeout: 20_000 });
    return { exitCode: 0, stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { exitCode: typeof failed.code === 'number' ? failed.code : -1, stderr: failed.stderr ?? String(error) };
  }
}
