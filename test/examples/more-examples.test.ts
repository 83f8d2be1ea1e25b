import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acceptSource, runExample as runDriftCheck } from '../../examples/ci-drift-check.js';
import { runExample as runExpress } from '../../examples/express-app.js';
import { runExample as runOpenAI } from '../../examples/openai-resolver.js';
import { decisions, FakeOpenAI } from '../conflict/fake-openai.js';

const root = resolve(import.meta.dirname, '../..');
const TSX = import.meta.resolve('tsx');

/** Run an example file as `npx tsx examples/<file>` would, as a child process. */
function runStandalone(
  file: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', TSX, join(root, 'examples', file), ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${file} did not finish in 25 s\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 25_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe('express-app example', () => {
  it('serves the handler under /sync beside its own routes and syncs its own document into a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-express-test-'));
    const lines: string[] = [];
    const report = await runExpress({ dir, log: (line) => lines.push(line) });

    // Auth guards the POST; with the token, the first sync creates the file.
    expect(report.unauthorizedStatus).toBe(401);
    expect(report.first).toMatchObject({ sourceId: 'app', outcome: 'applied', written: true });
    // The app gained GET /pets/{id}; the second sync brings exactly that in.
    expect(report.second).toMatchObject({ sourceId: 'app', outcome: 'applied', written: true });
    expect(report.second.changes.map((c) => c.text)).toContain('GET /pets/{id} was added');

    // GET /sync/status through Express.
    expect(report.status.bindings).toHaveLength(1);
    expect(report.status.bindings[0]).toMatchObject({
      id: 'app',
      sourceKind: 'function',
      lastResult: { outcome: 'applied', jobId: report.second.jobId },
    });

    // The app's own routes still work, and unknown /sync paths reach the app's 404 through next().
    expect(report.pets).toEqual([
      { id: '1', name: 'Rex' },
      { id: '2', name: 'Tom' },
    ]);
    expect(report.unknownSyncPath).toEqual({ status: 404, body: { error: 'no such route in the pets app' } });

    // The local file has the new route and kept the hand-written description.
    expect(Object.keys(report.file.paths)).toEqual(['/pets', '/pets/{id}']);
    expect(report.file.paths['/pets']?.get?.description).toBe('Sorted by name. (added by hand)');
    expect(report.file.paths['/pets/{id}']?.get?.operationId).toBe('getPet');
    expect(JSON.parse(await readFile(join(dir, 'pets.openapi.json'), 'utf8'))).toEqual(report.file);
    expect(lines.join('\n')).toContain('hand-written description kept: yes');
  });
});

describe('openai-resolver example', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await FakeOpenAI.start();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  const DESCRIPTION = '/paths/~1orders/get/description';
  const SUMMARY = '/paths/~1orders/get/summary';

  it('rules decide the summary; the model, reached at baseURL, decides the description', async () => {
    const merged = 'Returns orders, newest first. Needs the `orders:read` scope.';
    fake.reply = (request) => ({
      body: decisions(
        FakeOpenAI.conflictsOf(request).map((c) => ({
          path: c.path,
          take: 'value',
          value_json: JSON.stringify(merged),
          reason: 'kept facts from both',
        })),
      ),
    });
    const report = await runOpenAI({ baseURL: fake.baseURL, apiKey: 'sk-test-not-secret', model: 'test-model' });

    // One request, carrying only the conflict the rules left: never the summary, never the document.
    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0]!;
    expect(request.json.model).toBe('test-model');
    expect(FakeOpenAI.conflictsOf(request).map((c) => c.path)).toEqual([DESCRIPTION]);
    const sent = request.json.messages.map((m) => m.content).join('\n');
    expect(sent).toContain('Returns orders, newest first.');
    expect(sent).not.toContain('"openapi"');
    expect(sent).not.toContain('"responses"');
    expect(sent).toContain('Descriptions are user documentation');
    expect(request.json.max_completion_tokens).toBeLessThan(5_000);

    const byPath = Object.fromEntries(report.decisions.map((d) => [d.path, d]));
    expect(byPath[SUMMARY]).toMatchObject({ take: 'remote', resolver: 'rules', reason: 'summaries follow the code' });
    expect(byPath[DESCRIPTION]).toMatchObject({ take: 'value', value: merged, resolver: 'openai' });
    expect(report.decisions).toHaveLength(2);
    expect(report.operation).toMatchObject({ summary: 'List all orders', description: merged });
    expect(report.usage).toMatchObject({
      requests: 1,
      decidedByModel: 1,
      fellBack: 0,
      totalTokens: 100,
      budgetTokens: 5_000,
      problems: [],
    });
  });

  it('falls back to preferLocal() when the model server fails', async () => {
    fake.reply = () => ({ status: 500, body: { error: { message: 'overloaded' } } });
    const report = await runOpenAI({ baseURL: fake.baseURL, apiKey: 'sk-test-not-secret', model: 'test-model' });
    expect(fake.requests).toHaveLength(1);
    const description = report.decisions.find((d) => d.path === DESCRIPTION);
    expect(description).toMatchObject({ take: 'local', resolver: 'prefer-local' });
    expect(description?.reason).toContain('openai fell back');
    expect(report.operation).toMatchObject({ summary: 'List all orders', description: 'Returns orders. Needs the `orders:read` scope.' });
    expect(report.usage).toMatchObject({ decidedByModel: 0, fellBack: 1 });
  });

  it('run standalone without OPENAI_API_KEY, prints how to use it and exits 0', async () => {
    const env = { ...process.env };
    delete env['OPENAI_API_KEY'];
    const run = await runStandalone('openai-resolver.ts', [], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('set OPENAI_API_KEY');
    expect(run.stdout).toContain('npx tsx examples/openai-resolver.ts');
  });
});

describe('ci-drift-check example', () => {
  const doc = (options: { maximum?: number; post?: boolean } = {}) => ({
    openapi: '3.0.3',
    info: { title: 'Orders', version: '1' },
    paths: {
      '/orders': {
        get: {
          operationId: 'listOrders',
          summary: 'List orders',
          parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', maximum: options.maximum ?? 100 } }],
          responses: { '200': { description: 'ok' } },
        },
        ...(options.post
          ? { post: { operationId: 'addOrder', summary: 'Add an order', responses: { '201': { description: 'created' } } } }
          : {}),
      },
    },
  });

  async function synced(): Promise<{ dir: string; source: string; out: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'als-drift-test-'));
    const source = join(dir, 'generated.json');
    const out = join(dir, 'openapi.json');
    await writeFile(source, JSON.stringify(doc()));
    await acceptSource({ source, out });
    return { dir, source, out };
  }

  it('in sync: exit 0, also with the user own edits in the local copy', async () => {
    const { source, out } = await synced();
    const local = JSON.parse(await readFile(out, 'utf8')) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    local.paths['/orders']!.get!.description = 'Paged; see the wiki.';
    await writeFile(out, JSON.stringify(local, null, 2));
    const before = await readFile(out, 'utf8');

    const report = await runDriftCheck({ source, out });
    expect(report.exitCode).toBe(0);
    expect(report.markdown).toContain('# Sync plan: openapi.json');
    expect(report.markdown).toContain('**OK**');
    expect(report.plan?.outcome).toBe('unchanged');
    expect(await readFile(out, 'utf8')).toBe(before);
  });

  it('drifted: exit 1 with the Markdown changelog, and nothing written', async () => {
    const { source, out } = await synced();
    const before = await readFile(out, 'utf8');
    await writeFile(source, JSON.stringify(doc({ post: true })));

    const report = await runDriftCheck({ source, out });
    expect(report.exitCode).toBe(1);
    expect(report.markdown).toContain('## Info (1)');
    expect(report.markdown).toContain('POST /orders was added');
    expect(report.markdown).toContain('**DRIFT**');
    expect(report.plan?.patch.length).toBeGreaterThan(0);
    expect(await readFile(out, 'utf8')).toBe(before);

    // With failOn 'breaking', an addition passes the gate but is still reported.
    const lenient = await runDriftCheck({ source, out, failOn: 'breaking' });
    expect(lenient.exitCode).toBe(0);
    expect(lenient.markdown).toContain('POST /orders was added');
    expect(lenient.markdown).toContain('none breaking');
  });

  it('breaking drift fails the gate with failOn breaking; an unreadable source exits 2', async () => {
    const { source, out } = await synced();
    await writeFile(source, JSON.stringify(doc({ maximum: 50 })));
    const report = await runDriftCheck({ source, out, failOn: 'breaking' });
    expect(report.exitCode).toBe(1);
    expect(report.markdown).toContain('## Breaking (1)');
    expect(report.markdown).toContain('1 breaking change(s)');

    const missing = await runDriftCheck({ source: join(source, '..', 'nope.json'), out });
    expect(missing.exitCode).toBe(2);
    expect(missing.markdown).toContain('SOURCE_FILE_MISSING');
    expect(missing.plan).toBeUndefined();
  });

  it('run standalone, the process exit code is the gate', async () => {
    const { source, out } = await synced();
    const clean = await runStandalone('ci-drift-check.ts', [source, out]);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('**OK**');

    await writeFile(source, JSON.stringify(doc({ post: true })));
    const drifted = await runStandalone('ci-drift-check.ts', [source, out]);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain('POST /orders was added');
    const lenient = await runStandalone('ci-drift-check.ts', [source, out, '--fail-on', 'breaking']);
    expect(lenient.code).toBe(0);
  });
});
