/**
 * `--format postman` (and a `*.postman_collection.json` out file) on sync,
 * plan and check, as real child processes against a real HTTP server: the
 * same flags and exit codes as the other formats, and a user's test script
 * survives the next sync.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePostmanCollection, type PostmanFolder, type PostmanItem } from '../../src/targets/postman/index.js';
import { api, cli, serveDocument, tempDir, type DocServer } from './helpers.js';

describe('api-live-sync --format postman', { timeout: 60_000 }, () => {
  let server: DocServer;
  let temp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    temp = tempDir();
    server = await serveDocument(api(['/pets', '/pets/{id}']));
  });
  afterAll(async () => {
    await server.close();
    temp.dispose();
  });

  const requests = (file: string): PostmanItem[] => {
    const collection = parsePostmanCollection(JSON.parse(readFileSync(join(temp.dir, file), 'utf8')));
    const walk = (items: Array<PostmanItem | PostmanFolder>): PostmanItem[] =>
      items.flatMap((entry) => ('item' in entry && Array.isArray(entry.item) ? walk(entry.item) : [entry as PostmanItem]));
    return walk(collection.item);
  };

  it('sync writes a Postman collection, by --format or by the file name Postman exports under', async () => {
    const explicit = await cli(['sync', server.url, '--out', 'pets.json', '--format', 'postman', '--json'], temp.dir);
    expect(explicit.stderr).toBe('');
    expect(explicit.code).toBe(0);
    expect(requests('pets.json').map((r) => r.id)).toEqual(['get_pets', 'get_pets_id']);
    const named = await cli(['sync', server.url, '--out', 'Pets.postman_collection.json', '--json'], temp.dir);
    expect(named.code).toBe(0);
    expect(requests('Pets.postman_collection.json').map((r) => (r.request as { url: { raw: string } }).url.raw)).toEqual([
      '{{baseUrl}}/pets',
      '{{baseUrl}}/pets/:id',
    ]);
  });

  it('check exits 0 in sync and 1 on drift, plan exits 0, and a sync keeps the user script', async () => {
    expect((await cli(['check', server.url, '--out', 'pets.json', '--format', 'postman', '--json'], temp.dir)).code).toBe(0);
    const path = join(temp.dir, 'pets.json');
    const collection = JSON.parse(readFileSync(path, 'utf8'));
    collection.item[0].event = [{ listen: 'test', script: { exec: ['pm.test("ok", () => {});'] } }];
    writeFileSync(path, JSON.stringify(collection, null, '\t'));
    server.set(api(['/pets', '/pets/{id}', '/owners']));
    const check = await cli(['check', server.url, '--out', 'pets.json', '--format', 'postman', '--json'], temp.dir);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout)).toMatchObject({ command: 'check', exitCode: 1, inSync: false });
    const plan = await cli(['plan', server.url, '--out', 'pets.json', '--format', 'postman', '--json'], temp.dir);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ command: 'plan', exitCode: 0, bindings: [{ plan: { outcome: 'apply' } }] });
    const sync = await cli(['sync', server.url, '--out', 'pets.json', '--format', 'postman', '--json'], temp.dir);
    expect(sync.code).toBe(0);
    const after = requests('pets.json');
    expect(after.map((r) => r.id)).toEqual(['get_pets', 'get_pets_id', 'get_owners']);
    expect(after[0]?.event).toEqual([{ listen: 'test', script: { exec: ['pm.test("ok", () => {});'] } }]);
    expect((await cli(['check', server.url, '--out', 'pets.json', '--format', 'postman', '--json'], temp.dir)).code).toBe(0);
  });

  it('refuses a YAML out file for --format postman (exit 2)', async () => {
    const run = await cli(['sync', server.url, '--out', 'pets.yaml', '--format', 'postman'], temp.dir);
    expect(run.code).toBe(2);
  });
});
