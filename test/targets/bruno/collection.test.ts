/**
 * A collection folder as data: every file is written by @usebruno/lang and
 * read back to the same data; Bruno's own CLI runs what is written against
 * a loopback server answering every route of a spec.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetError } from '../../../src/errors.js';
import { brunoFiles, parseBrunoFiles, type BrunoCollection } from '../../../src/targets/bruno/collection.js';
import { BrunoFolder } from '../../../src/targets/bruno/folder.js';
import { loadBruLang } from '../../../src/targets/bruno/lang.js';
import { bruFailures, runBru, startSpecServer } from '../../support/bru.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'als-bruno-collection-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const SPEC = {
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1' },
  paths: {
    '/pets': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { example: [{ id: 1 }] } } } } } },
    '/pets/{petId}': { delete: { responses: { '204': { description: 'gone' } } } },
  },
};

function sample(): BrunoCollection {
  return {
    config: { version: '1', name: 'Pets', type: 'collection' },
    root: { meta: { name: 'Pets' }, auth: { mode: 'none' }, docs: 'The pets API' },
    folders: { pets: { meta: { name: 'pets', seq: '1' }, auth: { mode: 'inherit' } } },
    requests: {
      'pets/List pets.bru': {
        meta: { name: 'List pets', type: 'http', seq: '1' },
        http: { method: 'get', url: '{{baseUrl}}/pets?limit=10', body: 'none', auth: 'inherit' },
        params: [{ name: 'limit', value: '10', enabled: true, type: 'query' }],
        headers: [{ name: 'X-Trace', value: 'a', enabled: false }],
        tests: 'test("a list", function () {\n  expect(res.getBody()).to.be.an("array");\n});',
        docs: 'Lists pets.',
      },
      'pets/Delete a pet.bru': {
        meta: { name: 'Delete a pet', type: 'http', seq: '2' },
        http: { method: 'delete', url: '{{baseUrl}}/pets/:petId', body: 'none', auth: 'inherit' },
        params: [{ name: 'petId', value: '7', enabled: true, type: 'path' }],
        assertions: [{ name: 'res.status', value: 'eq 204', enabled: true }],
      },
    },
    environments: {
      local: {
        variables: [
          { name: 'baseUrl', value: 'http://127.0.0.1:9', enabled: true, secret: false },
          { name: 'token', value: '', enabled: true, secret: true },
        ],
      },
    },
  };
}

describe('Bruno collection files', () => {
  it('reads back what it writes', async () => {
    const lang = await loadBruLang();
    const files = brunoFiles(sample(), lang);
    expect([...files.keys()].sort()).toEqual([
      'bruno.json',
      'collection.bru',
      'environments/local.bru',
      'pets/Delete a pet.bru',
      'pets/List pets.bru',
      'pets/folder.bru',
    ]);
    const back = parseBrunoFiles(files, lang, 'x');
    expect(back.requests).toEqual(sample().requests);
    expect(back.environments).toEqual(sample().environments);
    expect(back.folders.pets).toMatchObject({ meta: { name: 'pets', seq: '1' }, auth: { mode: 'inherit' } });
  });

  it('with a parse cache, parses only files whose bytes changed, and gives the same data', async () => {
    const lang = await loadBruLang();
    let calls = 0;
    const counting = { ...lang, bruToJsonV2: (text: string) => (calls++, lang.bruToJsonV2(text)) };
    const cache = new Map();
    const files = brunoFiles(sample(), lang);
    const first = parseBrunoFiles(files, counting, 'x', cache);
    expect(calls).toBe(2);
    files.set('pets/List pets.bru', Buffer.from(files.get('pets/List pets.bru')!.toString().replace('limit: 10', 'limit: 5')));
    const second = parseBrunoFiles(files, counting, 'x', cache);
    expect(calls).toBe(3);
    expect(second).toEqual(parseBrunoFiles(files, lang, 'x'));
    expect(second.requests['pets/List pets.bru']?.params?.[0]?.value).toBe('5');
    // What a caller gets is its own: changing it does not change the next parse.
    first.requests['pets/Delete a pet.bru']!.meta.name = 'changed';
    expect(parseBrunoFiles(files, counting, 'x', cache).requests['pets/Delete a pet.bru']?.meta.name).toBe('Delete a pet');
  });

  it('refuses a file Bruno cannot read, naming it', async () => {
    const lang = await loadBruLang();
    const files = brunoFiles(sample(), lang);
    files.set('pets/Broken.bru', Buffer.from('meta {\n  name: x\n'));
    const error = (() => {
      try {
        parseBrunoFiles(files, lang, 'dir');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).code).toBe('TARGET_INVALID');
    expect((error as TargetError).details).toMatchObject({ path: 'dir/pets/Broken.bru' });
  });

  it('bru run passes on the written folder against a server answering every route', async () => {
    const lang = await loadBruLang();
    const dir = join(root, 'run');
    const folder = new BrunoFolder(dir);
    await folder.write(brunoFiles(sample(), lang), null);
    const server = await startSpecServer(SPEC);
    try {
      const run = await runBru(dir, { baseUrl: server.url });
      expect(run.results.map((r) => [r.path, r.status, r.response?.status])).toEqual([
        ['pets/List pets', 'pass', 200],
        ['pets/Delete a pet', 'pass', 204],
      ]);
      expect(bruFailures(run)).toEqual([]);
      expect(run.code).toBe(0);
      expect(server.hits.sort()).toEqual(['DELETE /pets/{petId}', 'GET /pets']);
      expect(server.misses).toEqual([]);
      // A route the server does not answer fails the run: the harness can fail.
      await mkdir(join(dir, 'extra'));
      await writeFile(
        join(dir, 'extra/Nope.bru'),
        lang.jsonToBruV2({
          meta: { name: 'Nope', type: 'http', seq: '1' },
          http: { method: 'get', url: '{{baseUrl}}/nope', body: 'none', auth: 'none' },
          assertions: [{ name: 'res.status', value: 'eq 200', enabled: true }],
        }),
      );
      const failing = await runBru(dir, { baseUrl: server.url });
      expect(bruFailures(failing)).toEqual(['extra/Nope: response 404, assert res.status eq 200 (expected 404 to equal 200)']);
      expect(failing.code).not.toBe(0);
    } finally {
      await server.close();
    }
  }, 60_000);
});
