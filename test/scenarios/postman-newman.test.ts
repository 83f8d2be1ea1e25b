/**
 * The real Postman runner, end to end: a loopback API publishes its OpenAPI
 * document and answers every route of it; the engine syncs it into a
 * Postman collection; the user edits it the way the app would (test
 * scripts, their own base URL, a disabled parameter and header, a rename, a
 * move, a description, a saved response, a request of their own, a
 * deletion); newman passes. The API changes (an endpoint added, a
 * parameter added and required, a schema changed, an endpoint removed); the
 * engine syncs again; every edit is still there, the deleted request stays
 * deleted, and newman passes again against the new API.
 *
 * Needs scripts/install-clients.sh to have run once: without newman this
 * test fails (it does not skip).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncEngine, httpSource } from '../../src/index.js';
import {
  isPostmanFolder,
  postmanTarget,
  type PostmanCollection,
  type PostmanFolder,
  type PostmanItem,
  type PostmanRequest,
  type PostmanUrl,
} from '../../src/targets/postman/index.js';
import { MemoryStore } from '../../src/testing/index.js';
import { assertNewmanInstalled, newmanFailures, runNewman, sdkCheck, specServer, type SpecServer } from '../support/postman.js';

type Json = Record<string, any>;

/** Version 2 adds POST /pets, adds a required `sort` to GET /pets, changes the pet schema (an `age`), and drops DELETE /pets/{petId}. */
function document(version: 1 | 2): Json {
  const pet = {
    type: 'object',
    properties: {
      id: { type: 'integer', example: 1 },
      name: { type: 'string', example: 'Rex' },
      ...(version === 2 ? { age: { type: 'integer', example: 3 } } : {}),
    },
  };
  const petId = { name: 'petId', in: 'path', required: true, schema: { type: 'integer' }, example: 1 };
  const list: Json = {
    tags: ['pets'],
    operationId: 'listPets',
    summary: 'List pets',
    parameters: [
      { name: 'limit', in: 'query', schema: { type: 'integer' }, example: 3 },
      { name: 'X-Trace', in: 'header', schema: { type: 'string' }, example: 'trace-1' },
      ...(version === 2 ? [{ name: 'sort', in: 'query', required: true, schema: { type: 'string' }, example: 'name' }] : []),
    ],
    responses: { '200': { description: 'Pets', content: { 'application/json': { schema: { type: 'array', items: pet } } } } },
  };
  const collectionPath: Json = { get: list };
  const itemPath: Json = {
    get: {
      tags: ['pets'],
      operationId: 'getPet',
      summary: 'Get a pet',
      parameters: [petId],
      responses: { '200': { description: 'A pet', content: { 'application/json': { schema: pet } } } },
    },
  };
  if (version === 1)
    itemPath.delete = {
      tags: ['pets'],
      operationId: 'deletePet',
      summary: 'Delete a pet',
      parameters: [petId],
      responses: { '204': { description: 'Deleted' } },
    };
  else
    collectionPath.post = {
      tags: ['pets'],
      operationId: 'createPet',
      summary: 'Add a pet',
      requestBody: { required: true, content: { 'application/json': { schema: pet } } },
      responses: { '201': { description: 'Created' } },
    };
  return {
    openapi: '3.0.3',
    info: { title: 'Live petstore', version: `${version}.0.0` },
    servers: [{ url: 'https://petstore.example.com' }],
    tags: [{ name: 'pets' }, { name: 'store' }],
    paths: {
      '/pets': collectionPath,
      '/pets/{petId}': itemPath,
      '/store/inventory': {
        get: { tags: ['store'], operationId: 'getInventory', summary: 'Inventory', responses: { '200': { description: 'ok' } } },
      },
    },
  };
}

let dir: string;
let server: SpecServer;

beforeAll(async () => {
  assertNewmanInstalled();
  dir = await mkdtemp(join(tmpdir(), 'als-newman-e2e-'));
  server = await specServer(document(1));
});

afterAll(async () => {
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function walk(collection: PostmanCollection): Array<{ item: PostmanItem; folder: string | null }> {
  const out: Array<{ item: PostmanItem; folder: string | null }> = [];
  const visit = (entries: Array<PostmanItem | PostmanFolder>, folder: string | null) => {
    for (const entry of entries) {
      if (isPostmanFolder(entry)) visit(entry.item, entry.name ?? '');
      else out.push({ item: entry, folder });
    }
  };
  visit(collection.item, null);
  return out;
}

const byId = (c: PostmanCollection) => new Map(walk(c).map((e) => [e.item.id ?? e.item.name, e]));
const status = (code: number) => ({
  listen: 'test',
  script: { type: 'text/javascript', exec: [`pm.test("status ${code}", () => pm.response.to.have.status(${code}));`] },
});

describe('newman, end to end through the engine', () => {
  it('runs the synced collection with every user edit before and after the API changes', { timeout: 120_000 }, async () => {
    const file = join(dir, 'petstore.postman_collection.json');
    const engine = new SyncEngine({ store: new MemoryStore() });
    await engine.addSource({
      id: 'petstore',
      source: httpSource({ url: `${server.url}/openapi.json` }),
      target: postmanTarget({ path: file }),
      intervalMs: 0,
      policy: { removal: 'remove' },
    });
    expect(await engine.syncNow('petstore')).toMatchObject({ outcome: 'applied', written: true });

    // The user's edits, in the file as the Postman app saves it.
    const synced = JSON.parse(await readFile(file, 'utf8')) as PostmanCollection;
    expect(walk(synced).map((e) => e.item.id)).toEqual(['listPets', 'getPet', 'deletePet', 'getInventory']);
    synced.variable = synced.variable!.map((v) => (v.key === 'baseUrl' ? { ...v, value: server.url } : v));
    const items = byId(synced);
    const list = items.get('listPets')!.item;
    list.name = 'All my pets';
    list.event = [status(200)];
    (list.request as PostmanRequest).description = 'Paged; ask Sam.';
    ((list.request as PostmanRequest).url as PostmanUrl).query!.find((q) => q.key === 'limit')!.disabled = true;
    ((list.request as PostmanRequest).header as Json[]).find((h) => h.key === 'X-Trace')!.disabled = true;
    list.response = [{ name: 'Two pets', code: 200, status: 'OK', header: [], body: '[{"id":1},{"id":2}]' }];
    items.get('getPet')!.item.event = [status(200)];
    // Moved to the root, next to the user's own request.
    const pets = synced.item.find((f) => f.name === 'pets') as PostmanFolder;
    pets.item = pets.item.filter((e) => (e as PostmanItem).id !== 'getPet');
    synced.item.push(items.get('getPet')!.item, {
      name: 'My smoke test',
      event: [status(200)],
      request: { method: 'GET', url: { raw: '{{baseUrl}}/pets/2', host: ['{{baseUrl}}'], path: ['pets', '2'] } },
    });
    // Deleted: the whole store folder.
    synced.item = synced.item.filter((f) => f.name !== 'store');
    await writeFile(file, JSON.stringify(synced, null, '\t'));

    const first = await runNewman(file);
    expect(newmanFailures(first)).toEqual([]);
    expect(first.report.run.stats.assertions).toMatchObject({ total: 3, failed: 0 });
    expect(server.refused).toEqual([]);
    expect(server.requests.filter((r) => !r.includes('openapi.json'))).toEqual([
      'GET /pets',
      'DELETE /pets/1',
      'GET /pets/1',
      'GET /pets/2',
    ]);

    // The API changes.
    server.serve(document(2));
    const second = await engine.syncNow('petstore');
    expect(second).toMatchObject({ outcome: 'applied', written: true, conflicts: [] });
    const after = JSON.parse(await readFile(file, 'utf8')) as PostmanCollection;
    expect(sdkCheck(after)).toEqual([]);
    const now = byId(after);
    expect(walk(after).map((e) => [e.folder, e.item.id ?? e.item.name])).toEqual([
      ['pets', 'listPets'],
      ['pets', 'createPet'],
      [null, 'getPet'],
      [null, 'My smoke test'],
    ]);
    const listed = now.get('listPets')!.item;
    const listUrl = (listed.request as PostmanRequest).url as PostmanUrl;
    expect(listed.name).toBe('All my pets');
    expect(listed.event).toEqual([status(200)]);
    expect((listed.request as PostmanRequest).description).toBe('Paged; ask Sam.');
    expect(listUrl.query).toEqual([
      { key: 'limit', value: '3', disabled: true },
      { key: 'sort', value: 'name' },
    ]);
    expect(listUrl.raw).toBe('{{baseUrl}}/pets?sort=name');
    expect(((listed.request as PostmanRequest).header as Json[]).find((h) => h.key === 'X-Trace')?.disabled).toBe(true);
    expect(listed.response?.map((r) => r.name)).toEqual(['Two pets']);
    expect((now.get('createPet')!.item.request as PostmanRequest).body?.raw).toContain('"age": 3');
    expect(after.variable?.find((v) => v.key === 'baseUrl')?.value).toBe(server.url);
    expect(now.has('getInventory')).toBe(false);
    expect(now.has('deletePet')).toBe(false);

    server.requests.length = 0;
    const rerun = await runNewman(file);
    expect(newmanFailures(rerun)).toEqual([]);
    expect(rerun.report.run.stats.assertions).toMatchObject({ total: 3, failed: 0 });
    expect(server.refused).toEqual([]);
    // Every route of the new API but the one the user deleted was called, once each, plus the user's own.
    expect(server.requests).toEqual(['GET /pets?sort=name', 'POST /pets', 'GET /pets/1', 'GET /pets/2']);
  });
});
