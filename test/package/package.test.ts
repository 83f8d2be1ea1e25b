/**
 * The published package, for real: `npm pack`, install the tarball into an
 * empty project, then import it from a plain ESM script and a plain CommonJS
 * script (every subpath: the root, ./hoppscotch, ./postman, ./server, ./testing,
 * ./openai; one copy of each class across them, in both formats). Also runs publint and arethetypeswrong on the tarball. A second
 * project installs the optional peers `ioredis` and `bullmq` beside it: the
 * root and `./testing` entries never load them, and `./redis` works against
 * a real redis-server.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { snippetsOf } from '../docs/snippets.js';
import { petstore } from '../support/docs.js';
import { useRedisServer } from '../support/redis.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
let project: string;
let redisProject: string;
let tarball: string;
const redis = useRedisServer();
const peers = () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  return ['ioredis', 'bullmq'].map((name) => `${name}@${manifest.devDependencies[name]}`);
};

const script = (load: string) => `${load}
const engine = new SyncEngine();
const source = new MemorySource({ openapi: '3.0.3', info: { title: 'T', version: '1' }, paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } } } });
const target = new MemoryTarget();
engine.addSource({ id: 'a', source, target })
  .then(() => engine.syncNow('a'))
  .then((result) => {
    const error = new SyncError('SPEC_EMPTY', 'x');
    let invalid;
    try { parseCollection({}); } catch (caught) { invalid = caught; }
    console.log(JSON.stringify({ outcome: result.outcome, paths: Object.keys(target.value.paths), branded: isSyncError(error), resolver: typeof openAIResolver, hoppscotch: typeof hoppscotchTarget, handler: typeof createSyncHandler(engine), dashboard: typeof createSyncHandler(engine, { dashboard: true }), oneClass: invalid instanceof TargetError && MemorySource === RootMemorySource }));
  });
`;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/index.js'))) await run('npx', ['tsup'], { cwd: root });
  project = await mkdtemp(join(tmpdir(), 'als-pack-'));
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', project], { cwd: root });
  tarball = join(project, stdout.trim().split('\n').pop()!);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: project });
  redisProject = await mkdtemp(join(tmpdir(), 'als-pack-redis-'));
  await writeFile(join(redisProject, 'package.json'), JSON.stringify({ name: 'consumer-redis', version: '1.0.0', private: true }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...peers()], {
    cwd: redisProject,
  });
}, 300_000);

describe('the packed package', () => {
  it('imports cleanly from a plain ESM script', async () => {
    await writeFile(
      join(project, 'esm.mjs'),
      script(`import { MemorySource as RootMemorySource, SyncEngine, SyncError, TargetError, isSyncError } from 'api-live-sync';
import { MemorySource, MemoryTarget } from 'api-live-sync/testing';
import { openAIResolver } from 'api-live-sync/openai';
import { hoppscotchTarget, parseCollection } from 'api-live-sync/hoppscotch';
import { createSyncHandler } from 'api-live-sync/server';`),
    );
    const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({
      outcome: 'applied',
      paths: ['/a'],
      branded: true,
      resolver: 'function',
      hoppscotch: 'function',
      handler: 'function',
      dashboard: 'function',
      oneClass: true,
    });
  });

  it('requires cleanly from a plain CommonJS script', async () => {
    await writeFile(
      join(project, 'cjs.cjs'),
      script(`const { MemorySource: RootMemorySource, SyncEngine, SyncError, TargetError, isSyncError } = require('api-live-sync');
const { MemorySource, MemoryTarget } = require('api-live-sync/testing');
const { openAIResolver } = require('api-live-sync/openai');
const { hoppscotchTarget, parseCollection } = require('api-live-sync/hoppscotch');
const { createSyncHandler } = require('api-live-sync/server');`),
    );
    const { stdout } = await run(process.execPath, ['cjs.cjs'], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({
      outcome: 'applied',
      paths: ['/a'],
      branded: true,
      resolver: 'function',
      hoppscotch: 'function',
      handler: 'function',
      dashboard: 'function',
      oneClass: true,
    });
  });

  it('needs no ioredis or bullmq for the root, ./testing and ./openai entries (the project above has neither)', async () => {
    for (const name of ['ioredis', 'bullmq']) expect(existsSync(join(project, 'node_modules', name)), name).toBe(false);
    const failed = await run(process.execPath, ['--input-type=module', '-e', "await import('api-live-sync/redis')"], { cwd: project }).then(
      () => undefined,
      (error: { stderr: string }) => error,
    );
    expect(failed?.stderr).toContain('ERR_MODULE_NOT_FOUND');
  });

  it('never loads ioredis or bullmq from the root and ./testing entries, even when installed; ./redis works against a real Redis (ESM)', async () => {
    await writeFile(
      join(redisProject, 'redis.mjs'),
      `import { createRequire } from 'node:module';
import * as root from 'api-live-sync';
import * as testing from 'api-live-sync/testing';
const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((path) => /node_modules[\\/](ioredis|bullmq)[\\/]/.test(path)).length;
const before = loaded();
const { RedisStore, acquireLease } = await import('api-live-sync/redis');
const store = new RedisStore({ redis: process.argv[2], prefix: 'pack-esm' });
await store.setRecord('api', 'k', { big: 'x'.repeat(5000), ok: true });
const lease = await acquireLease(store.client, 'api', { prefix: 'pack-esm', owner: 'esm', ttlMs: 10000 });
const value = await store.getRecord('api', 'k');
await store.close();
console.log(JSON.stringify({ before, after: loaded() > 0, ok: value.ok, token: lease.token > 0, root: typeof root.SyncEngine, testing: typeof testing.MemoryStore }));
`,
    );
    const { stdout } = await run(process.execPath, ['redis.mjs', redis.current.url], { cwd: redisProject });
    expect(JSON.parse(stdout)).toEqual({ before: 0, after: true, ok: true, token: true, root: 'function', testing: 'function' });
  });

  it('never loads ioredis or bullmq from the root and ./testing entries, even when installed; ./redis works against a real Redis (CommonJS)', async () => {
    await writeFile(
      join(redisProject, 'redis.cjs'),
      `const root = require('api-live-sync');
const testing = require('api-live-sync/testing');
const loaded = () => Object.keys(require.cache).filter((path) => /node_modules[\\/](ioredis|bullmq)[\\/]/.test(path)).length;
const before = loaded();
const { RedisStore, acquireLease } = require('api-live-sync/redis');
(async () => {
  const store = new RedisStore({ redis: process.argv[2], prefix: 'pack-cjs' });
  await store.setRecord('api', 'k', { big: 'x'.repeat(5000), ok: true });
  const lease = await acquireLease(store.client, 'api', { prefix: 'pack-cjs', owner: 'cjs', ttlMs: 10000 });
  const value = await store.getRecord('api', 'k');
  await store.close();
  console.log(JSON.stringify({ before, after: loaded() > 0, ok: value.ok, token: lease.token > 0, root: typeof root.SyncEngine, testing: typeof testing.MemoryStore }));
})();
`,
    );
    const { stdout } = await run(process.execPath, ['redis.cjs', redis.current.url], { cwd: redisProject });
    expect(JSON.parse(stdout)).toEqual({ before: 0, after: true, ok: true, token: true, root: 'function', testing: 'function' });
  });

  it('installs the api-live-sync command', async () => {
    const bin = join(project, 'node_modules/.bin/api-live-sync');
    const { stdout } = await run(bin, ['--version'], { cwd: project });
    expect(stdout.trim()).toMatch(/\d+\.\d+\.\d+/);
    const help = await run(bin, ['--help'], { cwd: project });
    expect(help.stdout).toContain('sync');
  });

  it('ships only what users need, and the docs and examples its text points to', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.cjs');
    expect(files).toContain('package/dist/testing/index.d.cts');
    for (const entry of ['redis', 'hoppscotch', 'postman', 'bruno', 'server']) {
      expect(files).toEqual(
        expect.arrayContaining([
          `package/dist/${entry}.js`,
          `package/dist/${entry}.cjs`,
          `package/dist/${entry}.d.ts`,
          `package/dist/${entry}.d.cts`,
        ]),
      );
    }
    expect(files).toEqual(
      expect.arrayContaining(['package/docs/getting-started.md', 'package/docs/troubleshooting.md', 'package/examples/demo.ts']),
    );
    expect(files.filter((f) => /^package\/(src|test|bench|scripts)\/|^package\/docs\/api\//.test(f))).toEqual([]);
  });

  it("the README's Hoppscotch snippet, pasted into an ES module, writes its collection within 5 s of startSync() against a loopback server", async () => {
    const code = snippetsOf('README.md').find((s) => s.code.includes('hoppscotchTarget('))!.code;
    const written = await runUntilWritten(project, 'hopp.mts', code, 'petstore.hoppscotch.json');
    expect(written.ms).toBeLessThan(5000);
    expect(JSON.parse(written.text)).toMatchObject({ name: 'Petstore' });
    expect(written.text).toContain('/pets1');
  });

  it('the getting-started quick start runs unchanged in the CommonJS project `npm init` makes (no top-level await), and writes its file at start', async () => {
    expect(JSON.parse(await readFile(join(project, 'package.json'), 'utf8')).type).toBeUndefined();
    const code = snippetsOf('docs/getting-started.md')[0]!.code;
    const written = await runUntilWritten(project, 'quick-start.cts', code, 'petstore.openapi.json');
    expect(written.ms).toBeLessThan(5000);
    expect(Object.keys((JSON.parse(written.text) as { paths: object }).paths)).toEqual(['/pets', '/pets1']);
  });

  it('passes publint and arethetypeswrong', async () => {
    const publint = await run(join(root, 'node_modules/.bin/publint'), ['run', '--strict', tarball], { cwd: root }).catch(
      (e: { stdout: string; stderr: string }) => e,
    );
    expect(publint.stdout + publint.stderr).not.toMatch(/error|warning/i);
    // attw exits non-zero on any problem; node10 resolution of subpaths is out of scope (engines >= 20).
    // JSON output: the human formats change layout with the terminal width (CI has none).
    const attw = await run(join(root, 'node_modules/.bin/attw'), [tarball, '--profile', 'node16', '--format', 'json'], { cwd: root });
    const report = JSON.parse(attw.stdout) as {
      analysis: { types: unknown; entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }> };
      problems?: Record<string, { resolutionKind?: string; entrypoint?: string }[]>;
    };
    expect(report.analysis.types).not.toBe(false);
    const subpaths = ['.', './hoppscotch', './server', './testing', './openai', './redis', './postman', './bruno'];
    expect(Object.keys(report.analysis.entrypoints)).toEqual(expect.arrayContaining(subpaths));
    for (const sub of subpaths) {
      const res = report.analysis.entrypoints[sub]!.resolutions;
      expect(res['node16-cjs']?.resolution?.fileName, sub).toMatch(/\.d\.cts$/);
      expect(res['node16-esm']?.resolution?.fileName, sub).toMatch(/\.d\.ts$/);
      expect(res['bundler']?.resolution?.fileName, sub).toMatch(/\.d\.ts$/);
    }
    const problems = Object.values(report.problems ?? {})
      .flat()
      .filter((p) => p.resolutionKind !== 'node10');
    expect(problems).toEqual([]);
  });
});

/**
 * Paste a TypeScript snippet into the project as `file` (`.mts`: an ES
 * module, `.cts`: CommonJS), compiled the way tsc would with `nodenext`, its
 * `http://127.0.0.1:8000` pointed at a loopback server; run it with node and
 * wait for `output` to appear. Resolves with its text and the milliseconds
 * from spawning node (so an upper bound for the time from `startSync()`).
 */
async function runUntilWritten(dir: string, file: string, code: string, output: string): Promise<{ ms: number; text: string }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(petstore(2))));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  expect(code).toContain('http://127.0.0.1:8000/');
  const { outputText } = ts.transpileModule(code.replaceAll('http://127.0.0.1:8000', origin), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022 },
  });
  const script = file.replace(/\.([mc])ts$/, '.$1js');
  await writeFile(join(dir, script), outputText);
  const child = spawn(process.execPath, [script], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = performance.now();
  try {
    while (performance.now() - started < 15_000) {
      const text = await readFile(join(dir, output), 'utf8').catch(() => undefined);
      if (text !== undefined && text.length > 0) return { ms: performance.now() - started, text };
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}: ${stderr}`);
      await new Promise((done) => setTimeout(done, 25));
    }
    throw new Error(`${script} wrote no ${output} in 15 s: ${stderr}`);
  } finally {
    child.kill();
    await new Promise((done) => server.close(done));
  }
}
