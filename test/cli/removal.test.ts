/**
 * `--policy removal=…` on an OpenAPI output, through the real CLI (child
 * processes) against a real HTTP server: the policy decides what happens to
 * an operation the source stopped serving, as it does for a collection.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, cli, serveDocument, tempDir, type DocServer } from './helpers.js';

type Paths = Record<string, Record<string, Record<string, unknown>>>;

describe('api-live-sync sync --policy removal=… on an OpenAPI file', { timeout: 60_000 }, () => {
  let server: DocServer;
  let temp: ReturnType<typeof tempDir>;
  const full = api(['/pets', '/pets/{id}', '/stores']);
  const reduced = api(['/pets', '/stores']);

  beforeAll(async () => {
    temp = tempDir();
    server = await serveDocument(full);
  });
  afterAll(async () => {
    await server.close();
    temp.dispose();
  });

  it('removal=deprecate keeps a removed operation in a YAML file with `deprecated: true` and a dated mark, and takes them off when it returns', async () => {
    server.set(full);
    const out = join(temp.dir, 'api.yaml');
    const policy = ['--policy', 'removal=deprecate'];
    expect((await cli(['sync', server.url, '--out', 'api.yaml', ...policy], temp.dir)).code).toBe(0);
    writeFileSync(out, `# kept next to the service\n${readFileSync(out, 'utf8')}`);

    server.set(reduced);
    const removed = await cli(['sync', server.url, '--out', 'api.yaml', ...policy, '--json'], temp.dir);
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout).bindings[0]).toMatchObject({ outcome: 'applied' });
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('# kept next to the service\n')).toBe(true);
    const get = (parse(text) as { paths: Paths }).paths['/pets/{id}']!.get!;
    expect(get).toMatchObject({
      operationId: 'get_pets_id',
      deprecated: true,
      'x-api-live-sync-removed': { policy: 'deprecate', setDeprecated: true },
    });
    const at = (get['x-api-live-sync-removed'] as { at: string }).at;
    expect(new Date(at).toISOString()).toBe(at);
    expect(Math.abs(Date.now() - Date.parse(at))).toBeLessThan(60_000);

    // What the sync wrote is what the source implies under the policy: the drift gate agrees.
    const check = await cli(['check', server.url, '--out', 'api.yaml', ...policy, '--json'], temp.dir);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ inSync: true });

    server.set(full);
    expect((await cli(['sync', server.url, '--out', 'api.yaml', ...policy], temp.dir)).code).toBe(0);
    const back = readFileSync(out, 'utf8');
    expect(back.startsWith('# kept next to the service\n')).toBe(true);
    expect((parse(back) as { paths: Paths }).paths).toStrictEqual(full.paths);
  });

  it('removal=remove deletes the untouched operation; removal=keep keeps it unmarked', async () => {
    for (const [policy, expected] of [
      ['remove', undefined],
      ['keep', (full.paths as Paths)['/pets/{id}']],
    ] as const) {
      server.set(full);
      const file = `api-${policy}.json`;
      expect((await cli(['sync', server.url, '--out', file, '--policy', `removal=${policy}`], temp.dir)).code).toBe(0);
      server.set(reduced);
      expect((await cli(['sync', server.url, '--out', file, '--policy', `removal=${policy}`], temp.dir)).code).toBe(0);
      expect((JSON.parse(readFileSync(join(temp.dir, file), 'utf8')) as { paths: Paths }).paths['/pets/{id}']).toStrictEqual(expected);
    }
  });
});
