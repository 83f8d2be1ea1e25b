/**
 * The Hoppscotch target through a real SyncEngine: every customisation a
 * user makes in the collection survives every kind of upstream change to
 * the same operation, and the upstream change arrives.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncEngine, preferRemote, type RemovalPolicy, type SyncResult } from '../../src/index.js';
import { hoppscotchTarget, parseCollection, type HoppCollection, type HoppRequest } from '../../src/targets/hoppscotch/index.js';
import { MemorySource, MemoryStore } from '../../src/testing/index.js';

type Json = Record<string, any>;

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'als-hopp-scenarios-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The API as the code publishes it. */
function petstore(): Json {
  return {
    openapi: '3.0.3',
    info: { title: 'Petstore', version: '1.0.0' },
    servers: [{ url: 'http://127.0.0.1:9/api' }],
    tags: [{ name: 'pets', description: 'Everything about pets' }, { name: 'store' }],
    paths: {
      '/pets': {
        get: {
          tags: ['pets'],
          summary: 'List pets',
          operationId: 'listPets',
          parameters: [
            { name: 'limit', in: 'query', description: 'How many', schema: { type: 'integer' }, example: 10 },
            { name: 'X-Trace', in: 'header', schema: { type: 'string' }, example: 'trace-1' },
          ],
          responses: { '200': { description: 'A page of pets', content: { 'application/json': { example: [{ id: 1, name: 'Rex' }] } } } },
        },
        post: {
          tags: ['pets'],
          summary: 'Add a pet',
          operationId: 'createPet',
          parameters: [{ name: 'dryRun', in: 'query', description: 'Validate only', schema: { type: 'boolean' }, example: false }],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { name: { type: 'string', example: 'Rex' }, tag: { type: 'string', example: 'dog' } },
                },
              },
            },
          },
          responses: { '201': { description: 'Created' } },
        },
      },
      '/pets/{petId}': {
        get: {
          tags: ['pets'],
          summary: 'Get a pet',
          operationId: 'getPet',
          parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' }, example: '1' }],
          responses: { '200': { description: 'A pet' } },
        },
        delete: {
          tags: ['pets'],
          summary: 'Delete a pet',
          operationId: 'deletePet',
          parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Deleted' } },
        },
      },
      '/store/inventory': {
        get: { tags: ['store'], summary: 'Inventory', operationId: 'getInventory', responses: { '200': { description: 'ok' } } },
      },
    },
  };
}

function operation(document: Json, operationId: string): Json {
  for (const item of Object.values(document.paths as Json)) {
    for (const op of Object.values(item as Json)) if ((op as Json).operationId === operationId) return op as Json;
  }
  throw new Error(`no operation ${operationId}`);
}

type Upstream = 'new parameter' | 'changed parameter' | 'new response' | 'summary change';
const UPSTREAM: Upstream[] = ['new parameter', 'changed parameter', 'new response', 'summary change'];

/** The API after an upstream change to one operation. */
function changed(kind: Upstream, operationId: string): Json {
  const document = petstore();
  const op = operation(document, operationId);
  if (kind === 'new parameter') op.parameters.push({ name: 'sort', in: 'query', schema: { type: 'string' }, example: 'name' });
  if (kind === 'changed parameter') {
    const query = (op.parameters as Json[]).find((p) => p.in === 'query')!;
    Object.assign(query, { schema: { type: 'string' }, example: 'changed', description: 'Changed upstream' });
  }
  if (kind === 'new response')
    op.responses['404'] = { description: 'Not found', content: { 'application/json': { example: { message: 'no such pet' } } } };
  if (kind === 'summary change') op.summary = `${op.summary} (v2)`;
  return document;
}

// ---------------------------------------------------------------- file helpers

async function readJson(file: string): Promise<HoppCollection> {
  return JSON.parse(await readFile(file, 'utf8')) as HoppCollection;
}

function walk(collection: HoppCollection): Array<{ request: HoppRequest; folder: string | null }> {
  const out: Array<{ request: HoppRequest; folder: string | null }> = [];
  const visit = (node: HoppCollection, folder: string | null) => {
    for (const child of node.folders) visit(child, child.name);
    for (const request of node.requests) out.push({ request, folder });
  };
  visit(collection, null);
  return out;
}

function find(collection: HoppCollection, id: string): { request: HoppRequest; folder: string | null } | undefined {
  return walk(collection).find((entry) => entry.request.id === id);
}

function req(collection: HoppCollection, id: string): HoppRequest {
  const found = find(collection, id);
  if (found === undefined) throw new Error(`no request ${id} in the collection`);
  return found.request;
}

function folder(collection: HoppCollection, name: string): HoppCollection {
  const found = collection.folders.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no folder ${name}`);
  return found;
}

async function setup(document: Json = petstore(), policy: { removal?: RemovalPolicy } = {}) {
  const dir = join(root, `case-${++counter}`);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir);
  const file = join(dir, 'petstore.hoppscotch.json');
  const store = new MemoryStore();
  const engine = new SyncEngine({ store });
  const source = new MemorySource(document);
  await engine.addSource({
    id: 'pets',
    source,
    target: hoppscotchTarget({ path: file }),
    intervalMs: 0,
    policy: { removal: 'deprecate', ...policy },
  });
  const first = await engine.syncNow('pets');
  expect(first).toMatchObject({ outcome: 'applied', written: true });
  const edit = async (change: (collection: HoppCollection) => void) => {
    const collection = await readJson(file);
    change(collection);
    await writeFile(file, JSON.stringify(collection, null, 2));
  };
  return { dir, file, store, engine, source, edit };
}

// ---------------------------------------------------------------- customisations

interface Customisation {
  name: string;
  operation: string;
  apply(collection: HoppCollection): void;
  check(after: HoppCollection, result: SyncResult): void;
  /** The upstream change cannot arrive where it collides with the edit (a conflict; the local value stays). */
  collides?: Upstream[];
  /** The one conflict each upstream change gives, if any. */
  conflicts?: Partial<Record<Upstream, string>>;
}

const kv = (key: string, value: string) => ({ key, value, active: true, description: '' });

const CUSTOMISATIONS: Customisation[] = [
  {
    name: 'auth',
    operation: 'listPets',
    apply: (c) => {
      req(c, 'listPets').auth = { authType: 'bearer', authActive: true, token: 'my-token' } as HoppRequest['auth'];
    },
    check: (c) => expect(req(c, 'listPets').auth).toEqual({ authType: 'bearer', authActive: true, token: 'my-token' }),
  },
  {
    name: 'header value',
    operation: 'listPets',
    apply: (c) => {
      req(c, 'listPets').headers.find((h) => h.key === 'X-Trace')!.value = 'my-trace';
    },
    check: (c) => expect(req(c, 'listPets').headers.find((h) => h.key === 'X-Trace')?.value).toBe('my-trace'),
  },
  {
    name: 'added header (different case than a later upstream one would be)',
    operation: 'listPets',
    apply: (c) => {
      req(c, 'listPets').headers.push(kv('x-api-version', '2'));
    },
    check: (c) => {
      const headers = req(c, 'listPets').headers.map((h) => h.key);
      expect(headers).toEqual(['X-Trace', 'x-api-version']);
    },
  },
  {
    name: 'param value',
    operation: 'listPets',
    apply: (c) => {
      req(c, 'listPets').params.find((p) => p.key === 'limit')!.value = '5';
    },
    check: (c) => expect(req(c, 'listPets').params.find((p) => p.key === 'limit')?.value).toBe('5'),
    conflicts: { 'changed parameter': '/requests/listPets/request/params/0/value' },
  },
  {
    name: 'added param',
    operation: 'listPets',
    apply: (c) => {
      req(c, 'listPets').params.push(kv('owner', 'me'));
    },
    check: (c) => expect(req(c, 'listPets').params.find((p) => p.key === 'owner')).toEqual(kv('owner', 'me')),
  },
  {
    name: 'disabled param',
    operation: 'listPets',
    apply: (c) => {
      req(c, 'listPets').params.find((p) => p.key === 'limit')!.active = false;
    },
    check: (c) => expect(req(c, 'listPets').params.find((p) => p.key === 'limit')?.active).toBe(false),
  },
  {
    name: 'body edit',
    operation: 'createPet',
    apply: (c) => {
      req(c, 'createPet').body = { contentType: 'application/json', body: '{ "name": "Fido", "tag": "cat" }' };
    },
    check: (c) => expect(req(c, 'createPet').body).toEqual({ contentType: 'application/json', body: '{ "name": "Fido", "tag": "cat" }' }),
  },
  {
    name: 'pre-request and test scripts',
    operation: 'listPets',
    apply: (c) => {
      const r = req(c, 'listPets');
      r.preRequestScript = 'pw.env.set("start", "1");';
      r.testScript = 'pw.test("ok", () => pw.expect(pw.response.status).toBe(200));';
    },
    check: (c) => {
      const r = req(c, 'listPets');
      expect(r.preRequestScript).toBe('pw.env.set("start", "1");');
      expect(r.testScript).toBe('pw.test("ok", () => pw.expect(pw.response.status).toBe(200));');
    },
  },
  {
    name: 'rename',
    operation: 'listPets',
    apply: (c) => {
      req(c, 'listPets').name = 'My pets';
    },
    check: (c) => expect(req(c, 'listPets').name).toBe('My pets'),
    collides: ['summary change'],
    conflicts: { 'summary change': '/requests/listPets/request/name' },
  },
  {
    name: 'folder move',
    operation: 'listPets',
    apply: (c) => {
      const pets = folder(c, 'pets');
      const index = pets.requests.findIndex((r) => r.id === 'listPets');
      const [moved] = pets.requests.splice(index, 1);
      folder(c, 'store').requests.unshift(moved!);
    },
    check: (c) => {
      expect(find(c, 'listPets')?.folder).toBe('store');
      expect(folder(c, 'store').requests[0]?.id).toBe('listPets');
      expect(folder(c, 'pets').requests.map((r) => r.id)).toEqual(['createPet', 'getPet', 'deletePet']);
    },
  },
  {
    name: 'saved response',
    operation: 'listPets',
    apply: (c) => {
      const r = req(c, 'listPets');
      const original = r.responses['A page of pets']!.originalRequest;
      r.responses['Empty store'] = {
        name: 'Empty store',
        originalRequest: original,
        status: 'OK',
        code: 200,
        headers: [{ key: 'content-type', value: 'application/json' }],
        body: '[]',
      };
    },
    check: (c) => {
      const r = req(c, 'listPets');
      expect(r.responses['Empty store']?.body).toBe('[]');
      expect(r.responses['A page of pets']).toBeDefined();
    },
  },
  {
    name: 'user-added request',
    operation: 'listPets',
    apply: (c) => {
      const { id: _id, ...getPet } = structuredClone(req(c, 'getPet'));
      folder(c, 'pets').requests.splice(1, 0, {
        ...getPet,
        name: 'Health check',
        endpoint: '<<baseUrl>>/health',
        requestVariables: [],
        responses: {},
      });
    },
    check: (c) => {
      const names = folder(c, 'pets').requests.map((r) => r.name);
      expect(names.filter((n) => n === 'Health check')).toHaveLength(1);
      expect(names.indexOf('Health check')).toBe(1);
      expect(walk(c).find((e) => e.request.name === 'Health check')?.request.id).toBeUndefined();
    },
  },
  {
    name: 'user-added folder',
    operation: 'listPets',
    apply: (c) => {
      const scratch = structuredClone(folder(c, 'store'));
      scratch.name = 'Scratch';
      scratch.description = 'my experiments';
      scratch.requests = [
        { ...structuredClone(req(c, 'getInventory')), name: 'Inventory again', endpoint: '<<baseUrl>>/store/inventory?x=1' },
      ];
      delete (scratch.requests[0] as Partial<HoppRequest>).id;
      (c.folders as HoppCollection[]).push(scratch);
    },
    check: (c) => {
      const scratch = folder(c, 'Scratch');
      expect(scratch.description).toBe('my experiments');
      expect(scratch.requests.map((r) => r.name)).toEqual(['Inventory again']);
      expect(c.folders.map((f) => f.name)).toEqual(['pets', 'store', 'Scratch']);
      expect(req(c, 'getInventory').name).toBe('Inventory');
    },
  },
  {
    name: 'user deletion',
    operation: 'listPets',
    apply: (c) => {
      const pets = folder(c, 'pets');
      pets.requests = pets.requests.filter((r) => r.id !== 'listPets');
    },
    check: (c, result) => {
      expect(find(c, 'listPets')).toBeUndefined();
      expect(walk(c).filter((e) => e.request.endpoint === '<<baseUrl>>/pets' && e.request.method === 'GET')).toEqual([]);
      expect(result.conflicts.map((x) => x.kind)).toEqual(['deleted-vs-changed']);
    },
    collides: [...UPSTREAM],
    conflicts: Object.fromEntries(UPSTREAM.map((kind) => [kind, '/requests/listPets'])),
  },
];

/** The upstream change is in the collection. */
function arrived(kind: Upstream, c: HoppCollection, operationId: string): void {
  const r = req(c, operationId);
  const query = operationId === 'listPets' ? 'limit' : 'dryRun';
  if (kind === 'new parameter') expect(r.params.find((p) => p.key === 'sort')).toMatchObject({ value: 'name', active: true });
  if (kind === 'changed parameter') expect(r.params.find((p) => p.key === query)?.description).toBe('Changed upstream');
  if (kind === 'new response') expect(r.responses['Not found']).toMatchObject({ code: 404, body: expect.stringContaining('no such pet') });
  if (kind === 'summary change') expect(r.name).toMatch(/ \(v2\)$/);
}

describe('hoppscotchTarget: customisations survive upstream changes', () => {
  for (const custom of CUSTOMISATIONS) {
    describe(custom.name, () => {
      for (const kind of UPSTREAM) {
        it(`× ${kind}`, async () => {
          const { file, engine, source, edit } = await setup();
          await edit(custom.apply);
          const before = await readJson(file);
          source.set(changed(kind, custom.operation));
          const result = await engine.syncNow('pets');
          expect(result.outcome).toBe('applied');
          // Only where both sides changed the same value is there a conflict, decided for local by default.
          const conflict = custom.conflicts?.[kind];
          expect(result.conflicts.map((c) => c.path)).toEqual(conflict === undefined ? [] : [conflict]);
          expect(result.decisions.map((d) => d.take)).toEqual(conflict === undefined ? [] : ['local']);
          const after = await readJson(file);
          expect(() => parseCollection(after)).not.toThrow();
          custom.check(after, result);
          if (!custom.collides?.includes(kind)) arrived(kind, after, custom.operation);
          // Nothing was doubled: one request per identity and per user request.
          expect(walk(after).length).toBe(walk(before).length);
          // A new remote that renders the same collection changes nothing: what was written reads back as it was merged.
          const text = await readFile(file, 'utf8');
          const same = changed(kind, custom.operation);
          same.info.version = '1.0.1';
          source.set(same);
          expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'applied', written: false, conflicts: [] });
          expect(await readFile(file, 'utf8')).toBe(text);
        });
      }
    });
  }
});

// ---------------------------------------------------------------- removal policy

function without(...operationIds: string[]): Json {
  const document = petstore();
  for (const [path, item] of Object.entries(document.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json))
      if (operationIds.includes((op as Json).operationId)) delete (item as Json)[method];
    if (Object.keys(item as Json).length === 0) delete document.paths[path];
  }
  return document;
}

describe('hoppscotchTarget: operations removed upstream', () => {
  const editDelete = (c: HoppCollection) => {
    req(c, 'deletePet').testScript = 'pw.test("gone", () => pw.expect(pw.response.status).toBe(204));';
  };

  it('remove: an untouched request goes, an edited one stays, marked, after the conflict is decided for local', async () => {
    const untouched = await setup(petstore(), { removal: 'remove' });
    untouched.source.set(without('deletePet'));
    expect(await untouched.engine.syncNow('pets')).toMatchObject({ outcome: 'applied', conflicts: [] });
    expect(find(await readJson(untouched.file), 'deletePet')).toBeUndefined();

    const edited = await setup(petstore(), { removal: 'remove' });
    await edited.edit(editDelete);
    edited.source.set(without('deletePet'));
    const result = await edited.engine.syncNow('pets');
    expect(result.conflicts).toEqual([expect.objectContaining({ path: '/requests/deletePet', kind: 'changed-vs-deleted' })]);
    expect(result.decisions).toEqual([expect.objectContaining({ path: '/requests/deletePet', take: 'local' })]);
    const kept = req(await readJson(edited.file), 'deletePet');
    expect(kept.name).toBe('[deprecated] Delete a pet');
    expect(kept.description).toMatch(/^Removed upstream: .*removal policy "remove"/);
    expect(kept.testScript).toContain('pw.test("gone"');
  });

  it('deprecate: untouched and edited requests stay in place, marked in name and description', async () => {
    for (const edit of [undefined, editDelete]) {
      const { file, engine, source, edit: change } = await setup(petstore(), { removal: 'deprecate' });
      if (edit) await change(edit);
      source.set(without('deletePet'));
      expect((await engine.syncNow('pets')).outcome).toBe('applied');
      const after = await readJson(file);
      const kept = req(after, 'deletePet');
      expect(kept.name).toBe('[deprecated] Delete a pet');
      expect(kept.description).toBe(
        'Removed upstream: the API no longer has this operation. Kept by api-live-sync (removal policy "deprecate").',
      );
      expect(folder(after, 'pets').requests.map((r) => r.id)).toEqual(['listPets', 'createPet', 'getPet', 'deletePet']);
      expect(kept.testScript === '').toBe(edit === undefined);

      // Stable on the next run, and the mark goes when the operation comes back.
      const marked = await readFile(file, 'utf8');
      const still = without('deletePet');
      still.info.version = '1.0.1';
      source.set(still);
      expect((await engine.syncNow('pets')).written).toBe(false);
      expect(await readFile(file, 'utf8')).toBe(marked);
      source.set(petstore());
      await engine.syncNow('pets');
      const back = req(await readJson(file), 'deletePet');
      expect(back.name).toBe('Delete a pet');
      expect(back.description).toBeNull();
    }
  });

  it('deprecate: a whole tag removed upstream keeps its folder for the kept request', async () => {
    const { file, engine, source } = await setup(petstore(), { removal: 'deprecate' });
    const document = without('getInventory');
    document.tags = document.tags.filter((t: Json) => t.name !== 'store');
    source.set(document);
    await engine.syncNow('pets');
    const after = await readJson(file);
    expect(after.folders.map((f) => f.name)).toEqual(['pets', 'store']);
    expect(folder(after, 'store').requests.map((r) => r.name)).toEqual(['[deprecated] Inventory']);
  });

  it('keep: removed requests stay exactly as they were', async () => {
    const { file, engine, source } = await setup(petstore(), { removal: 'keep' });
    const before = req(await readJson(file), 'deletePet');
    source.set(without('deletePet'));
    await engine.syncNow('pets');
    expect(req(await readJson(file), 'deletePet')).toEqual(before);
  });
});

// ---------------------------------------------------------------- secrets

describe('hoppscotchTarget: secrets and current values are never written', () => {
  it('blanks every currentValue and the values of secret variables, collection and folders', async () => {
    const { file, engine, source, edit } = await setup();
    await edit((c) => {
      c.variables = [
        { key: 'baseUrl', initialValue: 'http://127.0.0.1:9/api', currentValue: 'http://localhost:4321', secret: false },
        { key: 'token', initialValue: 'tok-initial-s3cret', currentValue: 'tok-current-s3cret', secret: true },
        { key: 'user', initialValue: 'alice', currentValue: 'bob-current', secret: false },
      ];
      folder(c, 'pets').variables = [{ key: 'petKey', initialValue: 'pk-initial-s3cret', currentValue: 'pk-current', secret: true }];
    });
    source.set(changed('new parameter', 'listPets'));
    expect((await engine.syncNow('pets')).written).toBe(true);
    const text = await readFile(file, 'utf8');
    for (const secret of ['s3cret', 'bob-current', 'pk-current', 'localhost:4321']) expect(text).not.toContain(secret);
    const after = JSON.parse(text) as HoppCollection;
    expect(after.variables).toEqual([
      { key: 'baseUrl', initialValue: 'http://127.0.0.1:9/api', currentValue: '', secret: false },
      { key: 'token', initialValue: '', currentValue: '', secret: true },
      { key: 'user', initialValue: 'alice', currentValue: '', secret: false },
    ]);
    expect(folder(after, 'pets').variables).toEqual([{ key: 'petKey', initialValue: '', currentValue: '', secret: true }]);
  });
});

// ---------------------------------------------------------------- ids lost

/** What the Hoppscotch app may give back: no ids, renamed requests, one moved, the literal server URL. */
function reexport(c: HoppCollection, literalHost: boolean): void {
  const visit = (node: HoppCollection) => {
    for (const r of node.requests) {
      delete (r as Partial<HoppRequest>).id;
      if (literalHost) r.endpoint = r.endpoint.replace('<<baseUrl>>', 'http://127.0.0.1:9/api');
    }
    node.folders.forEach(visit);
  };
  const pets = folder(c, 'pets');
  pets.requests.find((r) => r.name === 'List pets')!.name = 'All my pets';
  const getPet = pets.requests.splice(
    pets.requests.findIndex((r) => r.name === 'Get a pet'),
    1,
  )[0]!;
  getPet.name = 'One pet';
  c.requests.push(getPet);
  visit(c);
}

describe('hoppscotchTarget: a collection re-exported without ids still syncs by method and endpoint', () => {
  it('with the identity map in the store', async () => {
    const { file, engine, source, edit } = await setup();
    await edit((c) => reexport(c, false));
    source.set(changed('new parameter', 'listPets'));
    const result = await engine.syncNow('pets');
    expect(result.conflicts).toEqual([]);
    const after = await readJson(file);
    expect(walk(after)).toHaveLength(5);
    expect(req(after, 'listPets')).toMatchObject({
      name: 'All my pets',
      params: expect.arrayContaining([expect.objectContaining({ key: 'sort' })]),
    });
    expect(after.requests.map((r) => [r.id, r.name])).toEqual([['getPet', 'One pet']]);
  });

  it('without any stored state (a new store), from a file an older Hoppscotch importer made', async () => {
    const { file } = await setup();
    const made = await readJson(file);
    reexport(made, true);
    await writeFile(file, JSON.stringify(made));
    const engine = new SyncEngine({ store: new MemoryStore() });
    await engine.addSource({
      id: 'fresh',
      source: new MemorySource(changed('new parameter', 'listPets')),
      target: hoppscotchTarget({ path: file }),
      intervalMs: 0,
    });
    const result = await engine.syncNow('fresh');
    // No base: both sides "added" everything; where they differ the local value stays.
    expect(result.conflicts.map((c) => c.path).sort()).toEqual(
      [
        '/requests/getPet/folder',
        '/requests/getPet/request/endpoint',
        '/requests/getPet/request/name',
        '/requests/listPets/request/endpoint',
        '/requests/listPets/request/name',
        '/requests/createPet/request/endpoint',
        '/requests/deletePet/request/endpoint',
        '/requests/getInventory/request/endpoint',
      ].sort(),
    );
    const after = await readJson(file);
    expect(walk(after)).toHaveLength(5);
    expect(
      walk(after)
        .map((e) => e.request.id)
        .sort(),
    ).toEqual(['createPet', 'deletePet', 'getInventory', 'getPet', 'listPets']);
    expect(req(after, 'listPets').name).toBe('All my pets');
    expect(req(after, 'listPets').params.map((p) => p.key)).toEqual(['limit', 'sort']);
    expect(find(after, 'getPet')?.folder).toBeNull();
  });
});

// ---------------------------------------------------------------- invalid local files

describe('hoppscotchTarget: an invalid local file is refused and left as it is', () => {
  const cases: Array<[string, (text: string) => string, RegExp]> = [
    ['not JSON', (text) => text.slice(0, 40), /not valid JSON/],
    [
      'a wrong auth type',
      (text) => text.replace('"authType": "inherit"', '"authType": "magic"'),
      /folders\[0\]\.requests\[0\]\.auth\.authType/,
    ],
    ['an "export all" array of two', (text) => `[${text},${text}]`, /holds 2 collections/],
  ];
  for (const [name, corrupt, message] of cases) {
    it(name, async () => {
      const { file, engine, source } = await setup();
      const broken = corrupt(await readFile(file, 'utf8'));
      await writeFile(file, broken);
      source.set(changed('new parameter', 'listPets'));
      const error = await engine.syncNow('pets').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'TARGET_INVALID' });
      expect((error as Error).message).toMatch(message);
      expect(await readFile(file, 'utf8')).toBe(broken);
    });
  }
});

describe('hoppscotchTarget: options', () => {
  it('writes collection v11 with version: 11, and a v11 file keeps its version', async () => {
    const dir = await mkdtemp(join(root, 'v11-'));
    const file = join(dir, 'c.json');
    const engine = new SyncEngine();
    const source = new MemorySource(petstore());
    await engine.addSource({ id: 'v11', source, target: hoppscotchTarget({ path: file, version: 11 }), intervalMs: 0 });
    await engine.syncNow('v11');
    const written = await readJson(file);
    expect(written.v).toBe(11);
    expect(written.folders.every((f) => f.v === 11 && !('testScript' in f))).toBe(true);
    source.set(changed('new parameter', 'listPets'));
    await engine.syncNow('v11');
    expect((await readJson(file)).v).toBe(11);
  });

  it('refuses bad options with a ConfigError', () => {
    expect(() => hoppscotchTarget({ path: '' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => hoppscotchTarget({ path: 'x.json', version: 13 as 12 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => hoppscotchTarget({ path: 'x.json', baseUrlVariable: '<<x>>' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => hoppscotchTarget({ path: 'x.json', indent: 1.5 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(hoppscotchTarget({ path: 'x.json', baseUrlVariable: 'api.url', indent: 4 }).kind).toBe('hoppscotch');
  });
});

describe('hoppscotchTarget: conflicts decided for remote', () => {
  it('preferRemote takes the upstream name and brings a locally deleted request back in its place', async () => {
    const dir = await mkdtemp(join(root, 'remote-'));
    const file = join(dir, 'c.json');
    const engine = new SyncEngine({ resolver: preferRemote() });
    const source = new MemorySource(petstore());
    await engine.addSource({ id: 'r', source, target: hoppscotchTarget({ path: file }), intervalMs: 0 });
    await engine.syncNow('r');
    const collection = await readJson(file);
    req(collection, 'listPets').name = 'My pets';
    const pets = folder(collection, 'pets');
    pets.requests = pets.requests.filter((r) => r.id !== 'getPet');
    await writeFile(file, JSON.stringify(collection));
    const document = changed('summary change', 'listPets');
    operation(document, 'getPet').summary = 'Fetch a pet';
    source.set(document);
    const result = await engine.syncNow('r');
    expect(result.conflicts.map((c) => [c.path, c.kind])).toEqual([
      ['/requests/listPets/request/name', 'both-changed'],
      ['/requests/getPet', 'deleted-vs-changed'],
    ]);
    const after = await readJson(file);
    expect(req(after, 'listPets').name).toBe('List pets (v2)');
    expect(folder(after, 'pets').requests.map((r) => [r.id, r.name])).toEqual([
      ['listPets', 'List pets (v2)'],
      ['createPet', 'Add a pet'],
      ['getPet', 'Fetch a pet'],
      ['deletePet', 'Delete a pet'],
    ]);
  });
});

describe('hoppscotchTarget: folders the user rearranged', () => {
  it('a folder moved into another and renamed keeps receiving its new requests', async () => {
    const { file, engine, source, edit } = await setup();
    await edit((c) => {
      const store = c.folders.splice(1, 1)[0]!;
      store.name = 'Shop';
      (folder(c, 'pets').folders as HoppCollection[]).push(store);
    });
    const document = petstore();
    document.paths['/store/orders'] = {
      get: { tags: ['store'], summary: 'Orders', operationId: 'listOrders', responses: { '200': { description: 'ok' } } },
    };
    source.set(document);
    expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'applied', conflicts: [] });
    const after = await readJson(file);
    expect(after.folders.map((f) => f.name)).toEqual(['pets']);
    const shop = folder(after, 'pets').folders[0] as HoppCollection;
    expect([shop.name, shop.requests.map((r) => r.id)]).toEqual(['Shop', ['getInventory', 'listOrders']]);
  });
});

describe('hoppscotchTarget: header names are case-insensitive', () => {
  it('a header renamed only in case locally takes the upstream value under the local name, with no conflict', async () => {
    const { file, engine, source, edit } = await setup();
    await edit((c) => {
      req(c, 'listPets').headers.find((h) => h.key === 'X-Trace')!.key = 'x-trace';
    });
    const document = petstore();
    (operation(document, 'listPets').parameters as Json[]).find((p) => p.name === 'X-Trace')!.example = 'trace-2';
    source.set(document);
    expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'applied', conflicts: [] });
    expect(req(await readJson(file), 'listPets').headers).toEqual([{ key: 'x-trace', value: 'trace-2', active: true, description: '' }]);
  });
});
