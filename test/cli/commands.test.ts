/**
 * `diff`, `discover`, usage errors, help and the config file, run for real
 * as child processes.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, cli, closedPort, serveDocument, tempDir, type DocServer } from './helpers.js';

const noStack = /^\s+at /m;

describe('api-live-sync diff / discover / usage / config', { timeout: 60_000 }, () => {
  let server: DocServer;
  let temp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    temp = tempDir();
    server = await serveDocument(api(['/pets', '/owners']));
    writeFileSync(join(temp.dir, 'old.json'), JSON.stringify(api(['/pets', '/pets/{id}'])));
    writeFileSync(
      join(temp.dir, 'new.yaml'),
      'openapi: 3.0.3\ninfo: { title: Test API, version: 1.0.0 }\npaths:\n  /pets:\n    get:\n      operationId: get_pets\n      summary: Get /pets\n      responses: { "200": { description: ok } }\n',
    );
  });
  afterAll(async () => {
    await server.close();
    temp.dispose();
  });

  it('diff --fail-on breaking exits 1 when a breaking change exists, listing changes by level', async () => {
    const run = await cli(['diff', 'old.json', 'new.yaml', '--fail-on', 'breaking'], temp.dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^1 change \(1 breaking\)$/m);
    expect(run.stdout).toMatch(/breaking \(1\)\n\s+GET \/pets\/\{id\} was removed/);
    expect(run.stdout).toContain('fail: 1 change at or above breaking');
  });

  it('diff of a file and a URL with --json: one document, exit 0 below --fail-on', async () => {
    const run = await cli(['diff', 'new.yaml', server.url, '--json', '--fail-on', 'breaking'], temp.dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ command: 'diff', exitCode: 0, failOn: 'breaking', failing: 0, counts: { breaking: 0, info: 1 } });
    expect(report.changes.map((c: { id: string; operation: string }) => `${c.id} ${c.operation}`)).toEqual(['endpoint-added GET /owners']);
  });

  it('diff of something that is not OpenAPI exits 3 with the loader code', async () => {
    writeFileSync(join(temp.dir, 'page.json'), '<html>login</html>');
    const run = await cli(['diff', 'old.json', 'page.json'], temp.dir);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error SPEC_HTML: /m);
    expect(run.stderr).not.toMatch(noStack);
  });

  it('discover finds the document of a running API; an unreachable one exits 3', async () => {
    const found = await cli(['discover', server.base, '--json'], temp.dir);
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout)).toMatchObject({ command: 'discover', url: server.url });

    const down = await cli(['discover', `http://127.0.0.1:${await closedPort()}`], temp.dir);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^error SOURCE_CONNECTION_REFUSED: /m);
    expect(down.stdout).toBe('');
  });

  it('an unknown command or flag exits 2 with the usage, and nothing is written', async () => {
    const unknown = await cli(['frobnicate'], temp.dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error CONFIG_INVALID: Unknown command `frobnicate`\./m);
    expect(unknown.stderr).toContain('api-live-sync sync [<source> --out <file>]');

    const flag = await cli(['sync', server.url, '--out', 'x.json', '--bogus'], temp.dir);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^error CONFIG_INVALID: Unknown option '--bogus'/m);
    expect(flag.stderr).toMatch(/^usage: api-live-sync sync /m);
    expect(existsSync(join(temp.dir, 'x.json'))).toBe(false);
  });

  it('a config file syncs several bindings (OpenAPI YAML from a URL, a Hoppscotch collection from a file), and check uses them all', async () => {
    const project = join(temp.dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'spec.json'), JSON.stringify(api(['/orders', '/orders/{id}'])));
    writeFileSync(
      join(project, 'live-sync.config.json'),
      JSON.stringify({
        bindings: [
          { id: 'remote', source: server.url, out: 'specs/remote.yaml', policy: { holdOnBreaking: true } },
          { id: 'orders', source: 'spec.json', out: 'collections/orders.hoppscotch.json' },
        ],
      }),
    );
    const sync = await cli(['sync'], project);
    expect(sync.stderr).toBe('');
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain(`remote: ${server.url} → ${join(project, 'specs/remote.yaml')}`);
    expect(sync.stdout).toContain(`orders: ${join(project, 'spec.json')} → ${join(project, 'collections/orders.hoppscotch.json')}`);
    expect(readFileSync(join(project, 'specs/remote.yaml'), 'utf8')).toMatch(/^openapi: 3\.0\.3$/m);
    const collection = JSON.parse(readFileSync(join(project, 'collections/orders.hoppscotch.json'), 'utf8'));
    const requests = [...collection.requests, ...collection.folders.flatMap((f: { requests: unknown[] }) => f.requests)] as Array<{
      method: string;
      endpoint: string;
    }>;
    expect(requests.map((r) => `${r.method} ${r.endpoint}`).sort()).toEqual(['GET <<baseUrl>>/orders', 'GET <<baseUrl>>/orders/<<id>>']);
    expect(existsSync(join(project, '.api-live-sync', 'remote'))).toBe(true);
    expect(existsSync(join(project, '.api-live-sync', 'orders'))).toBe(true);

    // The file source changes; check exits 1 naming only that binding.
    writeFileSync(join(project, 'spec.json'), JSON.stringify(api(['/orders', '/orders/{id}', '/refunds'])));
    const check = await cli(['check', '--json'], project);
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout);
    expect(report.bindings.map((b: { id: string; drift: boolean }) => [b.id, b.drift])).toEqual([
      ['remote', false],
      ['orders', true],
    ]);
  });

  it('an invalid config file exits 2 naming the file and the key', async () => {
    const project = join(temp.dir, 'bad');
    mkdirSync(project);
    writeFileSync(join(project, 'live-sync.config.json'), JSON.stringify({ bindings: [{ source: server.url, out: 'a.json', polcy: {} }] }));
    const run = await cli(['plan'], project);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error CONFIG_INVALID: live-sync\.config\.json: bindings\[0\]: unknown key `polcy`\./m);
  });
});
