/**
 * `--resolver` and a config binding's `resolver`: who wins when the user and
 * the source changed the same value. Real CLI child processes, a real HTTP
 * server on 127.0.0.1, real files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, cli, serveDocument, tempDir, type DocServer } from './helpers.js';

type Doc = { paths: Record<string, { get: { summary: string } }> };

describe('api-live-sync --resolver', { timeout: 60_000 }, () => {
  let server: DocServer;
  let temp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    temp = tempDir();
    server = await serveDocument(api(['/pets']));
  });
  afterAll(async () => {
    await server.close();
    temp.dispose();
  });

  /** Sync `name` once, edit GET /pets's summary locally, and change the same summary upstream. */
  async function conflicted(name: string, upstream: string): Promise<string> {
    server.set(api(['/pets']));
    expect((await cli(['sync', server.url, '--out', name], temp.dir)).code).toBe(0);
    const file = join(temp.dir, name);
    const local = JSON.parse(readFileSync(file, 'utf8')) as Doc;
    local.paths['/pets']!.get.summary = 'Mine';
    writeFileSync(file, JSON.stringify(local, null, 2));
    const remote = api(['/pets']) as Doc;
    remote.paths['/pets']!.get.summary = upstream;
    server.set(remote);
    return file;
  }
  const summaryOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as Doc).paths['/pets']!.get.summary;

  it('keeps the local value by default and with --resolver local, takes the remote one with --resolver remote', async () => {
    const byDefault = await conflicted('default.json', 'Theirs 1');
    const first = await cli(['sync', server.url, '--out', 'default.json', '--json'], temp.dir);
    expect(first.code).toBe(0);
    expect(summaryOf(byDefault)).toBe('Mine');

    const local = await conflicted('local.json', 'Theirs 2');
    expect((await cli(['sync', server.url, '--out', 'local.json', '--resolver', 'local'], temp.dir)).code).toBe(0);
    expect(summaryOf(local)).toBe('Mine');

    const remote = await conflicted('remote.json', 'Theirs 3');
    const run = await cli(['sync', server.url, '--out', 'remote.json', '--resolver', 'remote', '--json'], temp.dir);
    expect(run.code).toBe(0);
    expect(summaryOf(remote)).toBe('Theirs 3');
    const report = JSON.parse(run.stdout) as {
      bindings: Array<{ result: { conflicts: unknown[]; decisions: Array<{ path: string; take: string; resolver?: string }> } }>;
    };
    expect(report.bindings[0]!.result.conflicts).toHaveLength(1);
    expect(report.bindings[0]!.result.decisions).toEqual([
      expect.objectContaining({ path: '/paths/~1pets/get/summary', take: 'remote', resolver: 'prefer-remote' }),
    ]);
  });

  it('plan --resolver remote reports the decisions it would take and writes nothing', async () => {
    const file = await conflicted('plan.json', 'Theirs 4');
    const before = readFileSync(file, 'utf8');
    const run = await cli(['plan', server.url, '--out', 'plan.json', '--resolver', 'remote', '--json'], temp.dir);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      bindings: Array<{ plan: { decisions: Array<{ path: string; take: string; resolver?: string }>; merged: Doc } }>;
    };
    expect(report.bindings[0]!.plan.decisions).toEqual([
      expect.objectContaining({ path: '/paths/~1pets/get/summary', take: 'remote', resolver: 'prefer-remote' }),
    ]);
    expect(report.bindings[0]!.plan.merged.paths['/pets']!.get.summary).toBe('Theirs 4');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('check counts a conflict the remote would win as drift, one the local value wins as in sync', async () => {
    const file = await conflicted('check.json', 'Theirs 7');
    const before = readFileSync(file, 'utf8');
    expect((await cli(['check', server.url, '--out', 'check.json'], temp.dir)).code).toBe(0);
    expect((await cli(['check', server.url, '--out', 'check.json', '--resolver', 'local'], temp.dir)).code).toBe(0);
    const drift = await cli(['check', server.url, '--out', 'check.json', '--resolver', 'remote', '--json'], temp.dir);
    expect(drift.code).toBe(1);
    expect(JSON.parse(drift.stdout)).toMatchObject({ command: 'check', inSync: false, bindings: [{ drift: true }] });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('names the deciding resolver in the human output of plan', async () => {
    await conflicted('human.json', 'Theirs 8');
    const run = await cli(['plan', server.url, '--out', 'human.json', '--resolver', 'remote'], temp.dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('prefer-remote');
  });

  it('refuses an unknown --resolver with the usage exit code, naming the choices', async () => {
    const run = await cli(['sync', server.url, '--out', 'x.json', '--resolver', 'mine'], temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Expected `--resolver` to be local or remote, got `mine`.');
  });

  it("honours a config binding's resolver, refuses a bad one, and lets --resolver override it", async () => {
    const file = await conflicted('config.json', 'Theirs 5');
    const configPath = join(temp.dir, 'live-sync.config.json');
    writeFileSync(
      configPath,
      JSON.stringify({ bindings: [{ id: 'config.json', source: server.url, out: 'config.json', resolver: 'remote' }] }),
    );
    // --resolver local on the command line wins over the file's remote.
    expect((await cli(['sync', '--resolver', 'local'], temp.dir)).code).toBe(0);
    expect(summaryOf(file)).toBe('Mine');

    const again = await conflicted('config.json', 'Theirs 6');
    expect((await cli(['sync'], temp.dir)).code).toBe(0);
    expect(summaryOf(again)).toBe('Theirs 6');

    writeFileSync(configPath, JSON.stringify({ bindings: [{ source: server.url, out: 'config.json', resolver: 'theirs' }] }));
    const bad = await cli(['sync'], temp.dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bindings[0]: expected `resolver` to be local or remote, got "theirs".');
  });
});
