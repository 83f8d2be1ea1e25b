/**
 * The published package, for real: `npm pack`, install the tarball into an
 * empty project, then import it from a plain ESM script and a plain CommonJS
 * script. Also runs publint and arethetypeswrong on the tarball.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
let project: string;
let tarball: string;

const script = (load: string) => `${load}
const engine = new SyncEngine();
const source = new MemorySource({ openapi: '3.0.3', info: { title: 'T', version: '1' }, paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } } } });
const target = new MemoryTarget();
engine.addSource({ id: 'a', source, target })
  .then(() => engine.syncNow('a'))
  .then((result) => {
    const error = new SyncError('SPEC_EMPTY', 'x');
    console.log(JSON.stringify({ outcome: result.outcome, paths: Object.keys(target.value.paths), branded: isSyncError(error), resolver: typeof openAIResolver }));
  });
`;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/index.js'))) await run('npx', ['tsup'], { cwd: root });
  project = await mkdtemp(join(tmpdir(), 'als-pack-'));
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', project], { cwd: root });
  tarball = join(project, stdout.trim().split('\n').pop()!);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: project });
}, 180_000);

describe('the packed package', () => {
  it('imports cleanly from a plain ESM script', async () => {
    await writeFile(
      join(project, 'esm.mjs'),
      script(`import { SyncEngine, SyncError, isSyncError } from 'api-live-sync';
import { MemorySource, MemoryTarget } from 'api-live-sync/testing';
import { openAIResolver } from 'api-live-sync/openai';`),
    );
    const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({ outcome: 'applied', paths: ['/a'], branded: true, resolver: 'function' });
  });

  it('requires cleanly from a plain CommonJS script', async () => {
    await writeFile(
      join(project, 'cjs.cjs'),
      script(`const { SyncEngine, SyncError, isSyncError } = require('api-live-sync');
const { MemorySource, MemoryTarget } = require('api-live-sync/testing');
const { openAIResolver } = require('api-live-sync/openai');`),
    );
    const { stdout } = await run(process.execPath, ['cjs.cjs'], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({ outcome: 'applied', paths: ['/a'], branded: true, resolver: 'function' });
  });

  it('installs the api-live-sync command', async () => {
    const bin = join(project, 'node_modules/.bin/api-live-sync');
    const { stdout } = await run(bin, ['--version'], { cwd: project });
    expect(stdout.trim()).toMatch(/\d+\.\d+\.\d+/);
    const help = await run(bin, ['--help'], { cwd: project });
    expect(help.stdout).toContain('sync');
  });

  it('ships only what users need', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.cjs');
    expect(files).toContain('package/dist/testing/index.d.cts');
    expect(files.filter((f) => /^package\/(src|test|bench|examples|docs)\//.test(f))).toEqual([]);
  });

  it('passes publint and arethetypeswrong', async () => {
    const publint = await run(join(root, 'node_modules/.bin/publint'), ['run', '--strict', tarball], { cwd: root }).catch((e: { stdout: string; stderr: string }) => e);
    expect(publint.stdout + publint.stderr).not.toMatch(/error|warning/i);
    // attw exits non-zero on any problem; node10 resolution of subpaths is out of scope (engines >= 20).
    // JSON output: the human formats change layout with the terminal width (CI has none).
    const attw = await run(join(root, 'node_modules/.bin/attw'), [tarball, '--profile', 'node16', '--format', 'json'], { cwd: root });
    const report = JSON.parse(attw.stdout) as {
      analysis: { types: unknown; entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }> };
      problems?: Record<string, { resolutionKind?: string; entrypoint?: string }[]>;
    };
    expect(report.analysis.types).not.toBe(false);
    expect(Object.keys(report.analysis.entrypoints)).toEqual(expect.arrayContaining(['.', './testing', './openai']));
    for (const sub of ['.', './testing', './openai']) {
      const res = report.analysis.entrypoints[sub]!.resolutions;
      expect(res['node16-cjs']?.resolution?.fileName, sub).toMatch(/\.d\.cts$/);
      expect(res['node16-esm']?.resolution?.fileName, sub).toMatch(/\.d\.ts$/);
      expect(res['bundler']?.resolution?.fileName, sub).toMatch(/\.d\.ts$/);
    }
    const problems = Object.values(report.problems ?? {}).flat().filter((p) => p.resolutionKind !== 'node10');
    expect(problems).toEqual([]);
  });
});
