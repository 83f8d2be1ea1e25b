/**
 * `sync`, `plan`, `check`, `journal` and `rollback` run for real as child
 * processes against a real HTTP server, in one temporary folder, step by
 * step: each step starts from what the previous one left behind.
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, cli, closedPort, serveDocument, tempDir, type DocServer } from './helpers.js';

const noStack = /^\s+at /m;

describe('api-live-sync sync / plan / check / journal / rollback', { timeout: 60_000 }, () => {
  let server: DocServer;
  let temp: ReturnType<typeof tempDir>;
  let out: string;
  let editedBytes: string;
  const store = () => join(temp.dir, '.api-live-sync');
  const storeSnapshot = () =>
    readdirSync(join(store(), 'api.json')).map((name) => [name, readFileSync(join(store(), 'api.json', name), 'utf8')]);

  beforeAll(async () => {
    temp = tempDir();
    out = join(temp.dir, 'api.json');
    server = await serveDocument(api(['/pets', '/pets/{id}']));
  });
  afterAll(async () => {
    await server.close();
    temp.dispose();
  });

  it('sync writes the local copy, keeps the base in .api-live-sync next to it, and prints the changes by level', async () => {
    const run = await cli(['sync', server.url, '--out', 'api.json'], temp.dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`api.json: ${server.url} → ${out}`);
    expect(run.stdout).toContain('applied 2 changes (2 info), 0 conflicts; wrote');
    expect(run.stdout).toMatch(/info \(2\)\n\s+GET \/pets was added \[endpoint-added\]/);
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8')).paths)).toEqual(['/pets', '/pets/{id}']);
    expect(existsSync(join(store(), 'api.json'))).toBe(true);
  });

  it('sync --json with nothing new: one JSON document, outcome unchanged, exit 0', async () => {
    const run = await cli(['sync', server.url, '--out', 'api.json', '--json'], temp.dir);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      command: string;
      exitCode: number;
      bindings: Array<{ id: string; outcome: string; result: { written: boolean } }>;
    };
    expect(report).toMatchObject({ command: 'sync', exitCode: 0 });
    expect(report.bindings).toHaveLength(1);
    expect(report.bindings[0]).toMatchObject({ id: 'api.json', outcome: 'unchanged', result: { written: false } });
  });

  it('plan --markdown prints the Markdown changelog and writes nothing; check exits 1 on drift', async () => {
    // The user edits the local copy; the API gains an endpoint and a required parameter.
    const local = JSON.parse(readFileSync(out, 'utf8'));
    local.paths['/pets'].get.description = 'My own words.';
    editedBytes = `${JSON.stringify(local, null, 2)}\n`;
    writeFileSync(out, editedBytes);
    const remote = api(['/pets', '/pets/{id}', '/owners']) as { paths: Record<string, { get: Record<string, unknown> }> };
    remote.paths['/pets/{id}']!.get.parameters = [{ name: 'verbose', in: 'query', required: true, schema: { type: 'boolean' } }];
    server.set(remote);
    const storeBefore = storeSnapshot();

    const plan = await cli(['plan', server.url, '--out', 'api.json', '--markdown'], temp.dir);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('# Sync plan: api.json');
    expect(plan.stdout).toContain('Would apply 2 change(s), with 0 conflict(s)');
    expect(plan.stdout).toMatch(/## Breaking \(1\)\n\n### GET \/pets\/\{id\}/);
    expect(plan.stdout).toContain('## Info (1)');
    expect(readFileSync(out, 'utf8')).toBe(editedBytes);
    expect(storeSnapshot()).toEqual(storeBefore);

    const check = await cli(['check', server.url, '--out', 'api.json', '--json'], temp.dir);
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout);
    expect(report).toMatchObject({ command: 'check', exitCode: 1, inSync: false });
    expect(report.bindings[0]).toMatchObject({ drift: true, outcome: 'apply', counts: { breaking: 1, warning: 0, info: 1 } });
    expect(report.bindings[0].patchOperations).toBeGreaterThan(0);
    expect(readFileSync(out, 'utf8')).toBe(editedBytes);
  });

  it('sync merges three ways across runs: the remote changes arrive, the user edit stays', async () => {
    const run = await cli(['sync', server.url, '--out', 'api.json'], temp.dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('applied 2 changes (1 breaking, 1 info)');
    expect(run.stdout).toMatch(
      /breaking \(1\)\n\s+GET \/pets\/\{id\}: new required query parameter `verbose` \[new-required-request-parameter\]/,
    );
    const local = JSON.parse(readFileSync(out, 'utf8'));
    expect(local.paths['/pets'].get.description).toBe('My own words.');
    expect(Object.keys(local.paths)).toContain('/owners');

    const check = await cli(['check', server.url, '--out', 'api.json'], temp.dir);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('api.json: in sync');
  });

  it('journal lists the syncs; rollback restores the file byte for byte; an impossible rollback exits 3 with code and hint', async () => {
    const journal = await cli(['journal', '--out', 'api.json', '--json'], temp.dir);
    expect(journal.code).toBe(0);
    const entries = JSON.parse(journal.stdout).entries as Array<{ id: string; kind: string; firstSync: boolean }>;
    expect(entries.map((e) => [e.id, e.kind, e.firstSync])).toEqual([
      ['j-1', 'sync', true],
      ['j-2', 'sync', false],
    ]);

    const rollback = await cli(['rollback', '--out', 'api.json'], temp.dir);
    expect(rollback.stderr).toBe('');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain('rolled back to before j-2');
    expect(rollback.stdout).toContain('recorded as j-3');
    expect(readFileSync(out, 'utf8')).toBe(editedBytes);

    const refused = await cli(['rollback', '--out', 'api.json', '--to', 'j-1'], temp.dir);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^error ROLLBACK_REFUSED: .*first sync/m);
    expect(refused.stderr).toMatch(/^hint: /m);
    expect(refused.stderr).not.toMatch(noStack);
    expect(refused.stdout).toBe('');
  });

  it('a mass removal is held (exit 1, nothing written); --approve applies it', async () => {
    server.set(api(['/pets']));
    const before = readFileSync(out, 'utf8');
    const held = await cli(['sync', server.url, '--out', 'api.json', '--policy', 'removal=remove,maxRemovalShare=0.2'], temp.dir);
    expect(held.code).toBe(1);
    expect(held.stdout).toContain('held by a safety rail: mass-removal');
    expect(held.stdout).toContain('--approve');
    expect(readFileSync(out, 'utf8')).toBe(before);

    const approved = await cli(
      ['sync', server.url, '--out', 'api.json', '--policy', 'removal=remove,maxRemovalShare=0.2', '--approve', '--json'],
      temp.dir,
    );
    expect(approved.code).toBe(0);
    const report = JSON.parse(approved.stdout);
    expect(report.bindings[0]).toMatchObject({ outcome: 'applied', approved: true });
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8')).paths)).toContain('/pets');
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8')).paths)).not.toContain('/pets/{id}');
  });

  it('a deleted local copy is recreated by the next sync, though the base is unchanged', async () => {
    rmSync(out);
    const run = await cli(['sync', server.url, '--out', 'api.json'], temp.dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('wrote');
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8')).paths)).toEqual(['/pets']);
  });

  it('a conflict is decided (your value is kept) and listed with its decision', async () => {
    const local = JSON.parse(readFileSync(out, 'utf8'));
    local.paths['/pets'].get.summary = 'Mine';
    writeFileSync(out, JSON.stringify(local, null, 2));
    const remote = api(['/pets']) as { paths: Record<string, { get: Record<string, unknown> }> };
    remote.paths['/pets']!.get.summary = 'Theirs';
    server.set(remote);
    const run = await cli(['sync', server.url, '--out', 'api.json'], temp.dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 conflict;');
    expect(run.stdout).toMatch(/conflicts \(1\)\n\s+\/paths\/~1pets\/get\/summary \S+: took local/);
    expect(JSON.parse(readFileSync(out, 'utf8')).paths['/pets'].get.summary).toBe('Mine');
  });

  it('a source that is down exits 3 with `error CODE: message` and a hint, the stack only with --verbose', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/openapi.json`;
    const plain = await cli(['sync', url, '--out', 'down.json'], temp.dir);
    expect(plain.code).toBe(3);
    expect(plain.stderr).toMatch(/^error SOURCE_CONNECTION_REFUSED: .*connection refused/m);
    expect(plain.stderr).toMatch(/^hint: .*start the API server/m);
    expect(plain.stderr).not.toMatch(noStack);
    expect(existsSync(join(temp.dir, 'down.json'))).toBe(false);

    const verbose = await cli(['sync', url, '--out', 'down.json', '--verbose', '--json'], temp.dir);
    expect(verbose.code).toBe(3);
    expect(verbose.stderr).toMatch(noStack);
    expect(JSON.parse(verbose.stdout).bindings[0]).toMatchObject({ outcome: 'failed', error: { code: 'SOURCE_CONNECTION_REFUSED' } });
  });
});
