/**
 * The Bruno target through a real SyncEngine: every edit a user makes in a
 * Bruno collection folder (as the app writes it: `.bru` files through
 * @usebruno/lang, files renamed, moved, deleted) survives every kind of
 * upstream change, the upstream change arrives, a deleted request stays
 * deleted, and Bruno's own CLI (`bru run`) passes on the result against a
 * loopback server answering every route.
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncEngine, type RemovalPolicy } from '../../src/index.js';
import { loadBruLang, type BruLang, type BruRequestFile } from '../../src/targets/bruno/lang.js';
import { brunoTarget } from '../../src/targets/bruno/target.js';
import { MemorySource, MemoryStore } from '../../src/testing/index.js';
import { bruFailures, runBru, startSpecServer } from '../support/bru.js';

type Json = Record<string, any>;

let root: string;
let counter = 0;
let lang: BruLang;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'als-bruno-scenarios-'));
  lang = await loadBruLang();
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
    components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } } },
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
          security: [{ key: [] }],
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

type Upstream = 'new parameter' | 'changed parameter' | 'schema change' | 'summary change';
const UPSTREAM: Upstream[] = ['new parameter', 'changed parameter', 'schema change', 'summary change'];

/** The API after an upstream change to one operation. */
function changed(kind: Upstream, operationId: string): Json {
  const document = petstore();
  const op = operation(document, operationId);
  op.parameters ??= [];
  if (kind === 'new parameter') op.parameters.push({ name: 'sort', in: 'query', schema: { type: 'string' }, example: 'name' });
  if (kind === 'changed parameter') {
    const query = (op.parameters as Json[]).find((p) => p.in === 'query');
    if (query) Object.assign(query, { schema: { type: 'string' }, example: 'changed', description: 'Changed upstream' });
    else op.parameters.push({ name: 'verbose', in: 'query', example: 'yes' });
  }
  if (kind === 'schema change') {
    const create = operation(document, 'createPet');
    create.requestBody.content['application/json'].schema.properties.age = { type: 'integer', example: 3 };
  }
  if (kind === 'summary change') op.summary = `${op.summary} (v2)`;
  return document;
}

/** What a change must have done to the file of `operationId` (found by `find`) when nothing collides. */
function arrived(kind: Upstream, file: BruRequestFile | undefined, create: BruRequestFile | undefined): void {
  if (kind === 'new parameter') expect(file?.params?.find((p) => p.name === 'sort')?.value).toBe('name');
  if (kind === 'schema change') expect(JSON.parse(String(create?.body?.json))).toMatchObject({ age: 3 });
  if (kind === 'summary change') expect(file?.meta.name).toMatch(/\(v2\)$/);
}

// ---------------------------------------------------------------- folder helpers

/** Every `.bru` request file of the collection, by relative path. */
async function requests(dir: string): Promise<Record<string, BruRequestFile>> {
  const out: Record<string, BruRequestFile> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name).slice(dir.length + 1);
    if (
      !entry.isFile() ||
      !path.endsWith('.bru') ||
      entry.name === 'folder.bru' ||
      path === 'collection.bru' ||
      path.startsWith('environments/')
    )
      continue;
    out[path] = lang.bruToJsonV2(await readFile(join(dir, path), 'utf8'));
  }
  return out;
}

/** The request file whose URL and method are those of an operation (method, path suffix). */
function byEndpoint(files: Record<string, BruRequestFile>, method: string, suffix: string): [string, BruRequestFile] | undefined {
  return Object.entries(files).find(([, f]) => f.http?.method === method && (f.http.url.split('?')[0] ?? '').endsWith(suffix));
}

const ENDPOINTS: Record<string, [string, string]> = {
  listPets: ['get', '/pets'],
  createPet: ['post', '/pets'],
  getPet: ['get', '/pets/:petId'],
  deletePet: ['delete', '/pets/:petId'],
  getInventory: ['get', '/store/inventory'],
};

async function setup(document: Json = petstore(), policy: { removal?: RemovalPolicy } = {}) {
  const dir = join(root, `case-${++counter}`);
  const store = new MemoryStore();
  const engine = new SyncEngine({ store });
  const source = new MemorySource(document);
  await engine.addSource({ id: 'pets', source, target: brunoTarget({ dir }), intervalMs: 0, policy: { removal: 'deprecate', ...policy } });
  const first = await engine.syncNow('pets');
  expect(first).toMatchObject({ outcome: 'applied', written: true });
  /** Change one request file as Bruno would save it. */
  const edit = async (operationId: string, change: (file: BruRequestFile) => void) => {
    const [method, suffix] = ENDPOINTS[operationId]!;
    const [path, file] = byEndpoint(await requests(dir), method, suffix)!;
    change(file);
    await writeFile(join(dir, path), lang.jsonToBruV2(file));
  };
  const pathOf = async (operationId: string) => {
    const [method, suffix] = ENDPOINTS[operationId]!;
    return byEndpoint(await requests(dir), method, suffix)?.[0];
  };
  return { dir, store, engine, source, edit, pathOf };
}

// ---------------------------------------------------------------- customisations

interface Customisation {
  name: string;
  operation: string;
  apply(dir: string, edit: Awaited<ReturnType<typeof setup>>['edit'], pathOf: (id: string) => Promise<string | undefined>): Promise<void>;
  check(files: Record<string, BruRequestFile>, dir: string): Promise<void> | void;
  collides?: Upstream[];
  conflicts?: Partial<Record<Upstream, string>>;
}

const get = (files: Record<string, BruRequestFile>, id: string) => {
  const [method, suffix] = ENDPOINTS[id]!;
  return byEndpoint(files, method, suffix);
};

const CUSTOMISATIONS: Customisation[] = [
  {
    name: 'server URL written in place of {{baseUrl}}, and the request renamed',
    operation: 'getPet',
    apply: (_d, edit) =>
      edit('getPet', (f) => {
        f.http!.url = 'http://127.0.0.1:9/api/pets/:petId';
        f.meta.name = 'Fetch one pet';
      }),
    check: (files) => {
      // The request is still getPet's (an upstream parameter arrives in its URL's query), with the user's URL.
      expect(get(files, 'getPet')?.[1].http?.url.split('?')[0]).toBe('http://127.0.0.1:9/api/pets/:petId');
      expect(get(files, 'getPet')?.[1].meta.name).toBe('Fetch one pet');
    },
    collides: ['summary change'],
    conflicts: { 'summary change': '/requests/getPet/request/name' },
  },
  {
    name: 'auth set on a request',
    operation: 'listPets',
    apply: (_d, edit) =>
      edit('listPets', (f) => {
        f.http!.auth = 'bearer';
        f.auth = { bearer: { token: 'my-token' } };
      }),
    check: (files) => {
      expect(get(files, 'listPets')?.[1].http?.auth).toBe('bearer');
      expect(get(files, 'listPets')?.[1].auth).toEqual({ bearer: { token: 'my-token' } });
    },
  },
  {
    name: 'auth: inherit kept where upstream has its own (usebruno/bruno#7548)',
    operation: 'createPet',
    apply: (_d, edit) =>
      edit('createPet', (f) => {
        f.http!.auth = 'inherit';
        delete f.auth;
      }),
    check: (files) => {
      expect(get(files, 'createPet')?.[1].http?.auth).toBe('inherit');
      expect(get(files, 'createPet')?.[1].auth).toBeUndefined();
    },
  },
  {
    name: 'header value',
    operation: 'listPets',
    apply: (_d, edit) => edit('listPets', (f) => void (f.headers!.find((h) => h.name === 'X-Trace')!.value = 'my-trace')),
    check: (files) => expect(get(files, 'listPets')?.[1].headers?.find((h) => h.name === 'X-Trace')?.value).toBe('my-trace'),
  },
  {
    name: 'added header',
    operation: 'listPets',
    apply: (_d, edit) => edit('listPets', (f) => void f.headers!.push({ name: 'x-api-version', value: '2', enabled: true })),
    check: (files) => expect(get(files, 'listPets')?.[1].headers?.map((h) => h.name)).toEqual(['X-Trace', 'x-api-version']),
  },
  {
    name: 'param value',
    operation: 'listPets',
    apply: (_d, edit) =>
      edit('listPets', (f) => {
        f.params!.find((p) => p.name === 'limit')!.value = '5';
        f.http!.url = '{{baseUrl}}/pets?limit=5';
      }),
    check: (files) => {
      expect(get(files, 'listPets')?.[1].params?.find((p) => p.name === 'limit')?.value).toBe('5');
      expect(get(files, 'listPets')?.[1].http?.url).toMatch(/\?limit=5(&|$)/);
    },
    collides: ['changed parameter'],
    conflicts: { 'changed parameter': '/requests/listPets/request/params/0/value' },
  },
  {
    name: 'disabled param (postman-app-support#12701, the same for Bruno)',
    operation: 'listPets',
    apply: (_d, edit) =>
      edit('listPets', (f) => {
        f.params!.find((p) => p.name === 'limit')!.enabled = false;
        f.http!.url = '{{baseUrl}}/pets';
      }),
    check: (files) => expect(get(files, 'listPets')?.[1].params?.find((p) => p.name === 'limit')?.enabled).toBe(false),
  },
  {
    name: 'body edit',
    operation: 'createPet',
    apply: (_d, edit) => edit('createPet', (f) => void (f.body = { json: '{\n  "name": "Fido",\n  "tag": "cat"\n}' })),
    check: (files) => expect(get(files, 'createPet')?.[1].body?.json).toBe('{\n  "name": "Fido",\n  "tag": "cat"\n}'),
    collides: ['schema change'],
    conflicts: { 'schema change': '/requests/createPet/request/body/json' },
  },
  {
    name: 'script:pre-request, script:post-response, tests, vars, assert and docs blocks',
    operation: 'listPets',
    apply: (_d, edit) =>
      edit('listPets', (f) => {
        f.script = { req: 'bru.setVar("start", Date.now());', res: 'bru.setVar("count", res.body.length);' };
        f.tests = 'test("a list", function () {\n  expect(res.getStatus()).to.equal(200);\n});';
        f.vars = { req: [{ name: 'who', value: 'me', enabled: true, local: false }] };
        f.assertions = [{ name: 'res.status', value: 'eq 200', enabled: true }];
        f.docs = 'My notes.';
      }),
    check: (files) => {
      const f = get(files, 'listPets')![1];
      expect(f.script).toEqual({ req: 'bru.setVar("start", Date.now());', res: 'bru.setVar("count", res.body.length);' });
      expect(f.tests).toBe('test("a list", function () {\n  expect(res.getStatus()).to.equal(200);\n});');
      expect(f.vars?.req).toEqual([{ name: 'who', value: 'me', enabled: true, local: false }]);
      expect(f.assertions).toEqual([{ name: 'res.status', value: 'eq 200', enabled: true }]);
      expect(f.docs).toBe('My notes.');
    },
  },
  {
    name: 'rename (name and file, as the app renames)',
    operation: 'listPets',
    apply: async (dir, edit, pathOf) => {
      await edit('listPets', (f) => void (f.meta.name = 'My pets'));
      const path = (await pathOf('listPets'))!;
      await rename(join(dir, path), join(dir, dirname(path), 'My pets.bru'));
    },
    check: (files) => expect(get(files, 'listPets')).toMatchObject(['pets/My pets.bru', { meta: { name: 'My pets' } }]),
    collides: ['summary change'],
    conflicts: { 'summary change': '/requests/listPets/request/name' },
  },
  {
    name: 'folder move',
    operation: 'listPets',
    apply: async (dir, _edit, pathOf) => {
      const path = (await pathOf('listPets'))!;
      await rename(join(dir, path), join(dir, 'store', 'List pets.bru'));
    },
    check: (files) => expect(get(files, 'listPets')?.[0]).toBe('store/List pets.bru'),
  },
  {
    name: 'seq order',
    operation: 'listPets',
    apply: async (_d, edit) => {
      await edit('listPets', (f) => void (f.meta.seq = '3'));
      await edit('getPet', (f) => void (f.meta.seq = '1'));
    },
    check: (files) => {
      expect(get(files, 'getPet')?.[1].meta.seq).toBe('1');
      expect(Number(get(files, 'listPets')?.[1].meta.seq)).toBeGreaterThan(Number(get(files, 'createPet')?.[1].meta.seq));
    },
  },
  {
    name: 'user-added request',
    operation: 'listPets',
    apply: async (dir) => {
      const file: BruRequestFile = {
        meta: { name: 'Health check', type: 'http', seq: '9' },
        http: { method: 'get', url: '{{baseUrl}}/health', body: 'none', auth: 'none' },
      };
      await writeFile(join(dir, 'pets', 'Health check.bru'), lang.jsonToBruV2(file));
    },
    check: (files) => expect(files['pets/Health check.bru']?.http?.url).toBe('{{baseUrl}}/health'),
  },
  {
    name: 'deleted request stays deleted',
    operation: 'deletePet',
    apply: async (dir, _edit, pathOf) => unlink(join(dir, (await pathOf('deletePet'))!)),
    check: (files) => expect(get(files, 'deletePet')).toBeUndefined(),
    // Upstream changed the operation the user deleted: a conflict, decided for local (it stays deleted).
    conflicts: {
      'new parameter': '/requests/deletePet',
      'changed parameter': '/requests/deletePet',
      'summary change': '/requests/deletePet',
    },
    collides: ['new parameter', 'changed parameter', 'summary change'],
  },
];

describe('brunoTarget: customisations survive upstream changes', () => {
  for (const custom of CUSTOMISATIONS) {
    describe(custom.name, () => {
      for (const kind of UPSTREAM) {
        it(`× ${kind}`, async () => {
          const { dir, engine, source, edit, pathOf } = await setup();
          await custom.apply(dir, edit, pathOf);
          const before = Object.keys(await requests(dir)).length;
          source.set(changed(kind, custom.operation));
          const result = await engine.syncNow('pets');
          expect(result.outcome).toBe('applied');
          // Only where both sides changed the same value is there a conflict, decided for local by default.
          const conflict = custom.conflicts?.[kind];
          expect(result.conflicts.map((c) => c.path)).toEqual(conflict === undefined ? [] : [conflict]);
          const files = await requests(dir);
          await custom.check(files, dir);
          if (!custom.collides?.includes(kind)) arrived(kind, get(files, custom.operation)?.[1], get(files, 'createPet')?.[1]);
          // Nothing doubled, nothing lost.
          expect(Object.keys(files).length).toBe(before);
          // A new remote that renders the same collection writes nothing: what was written reads back as it was merged.
          const same = changed(kind, custom.operation);
          same.info.version = '1.0.1';
          source.set(same);
          expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'applied', written: false, conflicts: [] });
        });
      }
    });
  }
});

describe('brunoTarget: the API changes upstream', () => {
  it('adds an endpoint, adds a parameter, changes a schema and removes an endpoint; every edit survives; bru run passes', async () => {
    const { dir, engine, source, edit, pathOf } = await setup(petstore(), { removal: 'remove' });
    await edit('listPets', (f) => {
      f.tests = 'test("a list", function () {\n  expect(res.getStatus()).to.equal(200);\n});';
      f.params!.find((p) => p.name === 'limit')!.enabled = false;
      f.http!.url = '{{baseUrl}}/pets';
    });
    await edit('createPet', (f) => {
      f.script = { req: 'req.setHeader("X-Run", "1");' };
      f.assertions = [{ name: 'res.status', value: 'eq 201', enabled: true }];
    });
    await unlink(join(dir, (await pathOf('getInventory'))!));
    const next = petstore();
    next.paths['/owners'] = {
      get: { tags: ['owners'], summary: 'List owners', operationId: 'listOwners', responses: { '200': { description: 'ok' } } },
    };
    operation(next, 'listPets').parameters.push({ name: 'sort', in: 'query', example: 'name' });
    operation(next, 'createPet').requestBody.content['application/json'].schema.properties.age = { type: 'integer', example: 3 };
    delete next.paths['/pets/{petId}'].delete;
    source.set(next);
    const result = await engine.syncNow('pets');
    expect(result).toMatchObject({ outcome: 'applied', written: true, conflicts: [] });
    const files = await requests(dir);
    expect(files['owners/List owners.bru']?.http?.url).toBe('{{baseUrl}}/owners');
    const list = get(files, 'listPets')![1];
    expect(list.params?.map((p) => [p.name, p.enabled])).toEqual([
      ['sort', true],
      ['limit', false],
    ]);
    expect(list.tests).toContain('a list');
    const create = get(files, 'createPet')![1];
    expect(JSON.parse(String(create.body?.json))).toEqual({ name: 'Rex', tag: 'dog', age: 3 });
    expect(create.script).toEqual({ req: 'req.setHeader("X-Run", "1");' });
    expect(get(files, 'deletePet')).toBeUndefined();
    expect(get(files, 'getInventory')).toBeUndefined();

    const server = await startSpecServer(next, '/api');
    try {
      const run = await runBru(dir, { baseUrl: server.url, key_key: 'secret' });
      expect(bruFailures(run)).toEqual([]);
      expect(run.code).toBe(0);
      expect(server.misses).toEqual([]);
      expect(new Set(server.hits)).toEqual(new Set(['GET /pets', 'POST /pets', 'GET /pets/{petId}', 'GET /owners']));
      // The user's test and assertion ran.
      expect(run.results.flatMap((r) => r.testResults.map((t) => t.status))).toEqual(['pass']);
      expect(run.results.flatMap((r) => r.assertionResults.map((a) => `${a.lhsExpr} ${a.rhsExpr} ${a.status}`))).toEqual([
        'res.status eq 201 pass',
      ]);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('folder.bru and collection.bru settings (scripts, headers, auth, docs) survive upstream changes to the tag and the API', async () => {
    const { dir, engine, source } = await setup();
    const folderFile = join(dir, 'pets', 'folder.bru');
    const folder = lang.collectionBruToJson(await readFile(folderFile, 'utf8'));
    folder.script = { req: 'bru.setVar("folder", "pets");' };
    folder.headers = [{ name: 'X-Team', value: 'pets', enabled: true }];
    await writeFile(folderFile, lang.jsonToCollectionBru(folder));
    const rootFile = join(dir, 'collection.bru');
    const root = lang.collectionBruToJson(await readFile(rootFile, 'utf8'));
    root.auth = { mode: 'bearer', bearer: { token: '{{myToken}}' } };
    root.tests = 'test("always", function () {});';
    await writeFile(rootFile, lang.jsonToCollectionBru(root));
    const next = petstore();
    next.tags[0].description = 'Pets, changed upstream';
    next.info.description = 'The pet store';
    operation(next, 'listPets').summary = 'List all pets';
    source.set(next);
    expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'applied', conflicts: [] });
    const folderAfter = lang.collectionBruToJson(await readFile(folderFile, 'utf8'));
    expect(folderAfter).toMatchObject({ script: { req: 'bru.setVar("folder", "pets");' }, docs: 'Pets, changed upstream' });
    expect(folderAfter.headers).toEqual([{ name: 'X-Team', value: 'pets', enabled: true }]);
    const rootAfter = lang.collectionBruToJson(await readFile(rootFile, 'utf8'));
    expect(rootAfter).toMatchObject({
      auth: { mode: 'bearer', bearer: { token: '{{myToken}}' } },
      tests: 'test("always", function () {});',
      docs: 'The pet store',
    });
  });

  it('a deleted request stays deleted through later upstream changes elsewhere', async () => {
    const { dir, engine, source, pathOf } = await setup();
    await unlink(join(dir, (await pathOf('getInventory'))!));
    for (const version of ['1.0.1', '1.0.2']) {
      const next = petstore();
      next.info.version = version;
      operation(next, 'listPets').summary = `List pets ${version}`;
      source.set(next);
      expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'applied' });
      expect(await pathOf('getInventory')).toBeUndefined();
    }
  });

  it('baseUrl follows the server while the user has not changed it, and stays theirs once they have; their own variables stay', async () => {
    const { dir, engine, source } = await setup();
    const env = join(dir, 'environments', 'api.bru');
    const read = async () => lang.bruToEnvJsonV2(await readFile(env, 'utf8')).variables;
    expect((await read()).find((v) => v.name === 'baseUrl')?.value).toBe('http://127.0.0.1:9/api');
    const moved = petstore();
    moved.servers = [{ url: 'http://127.0.0.1:10/api' }];
    source.set(moved);
    await engine.syncNow('pets');
    expect((await read()).find((v) => v.name === 'baseUrl')?.value).toBe('http://127.0.0.1:10/api');
    const mine = (await read()).map((v) => (v.name === 'baseUrl' ? { ...v, value: 'http://localhost:3000' } : v));
    mine.push({ name: 'tenant', value: 'acme', enabled: true, secret: false });
    await writeFile(env, lang.envJsonToBruV2({ variables: mine }));
    const again = petstore();
    again.servers = [{ url: 'http://127.0.0.1:11/api' }];
    source.set(again);
    expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'applied', conflicts: [] });
    const after = await read();
    expect(after.find((v) => v.name === 'baseUrl')?.value).toBe('http://localhost:3000');
    expect(after.find((v) => v.name === 'tenant')?.value).toBe('acme');
    // The auth variable of the API key scheme: secret, written empty.
    expect(after.find((v) => v.name === 'key_key')).toEqual({ name: 'key_key', value: '', enabled: true, secret: true });
  });
});

describe('brunoTarget: rollback restores the folder byte for byte', () => {
  it('after a sync that added, changed and removed files', async () => {
    const { dir, engine, source } = await setup(petstore(), { removal: 'remove' });
    await mkdir(join(dir, 'notes'), { recursive: true });
    await writeFile(join(dir, 'notes', 'mine.txt'), 'not a collection file');
    const snapshot = async () => {
      const out: Record<string, string> = {};
      for (const e of await readdir(dir, { recursive: true, withFileTypes: true }))
        if (e.isFile()) out[join(e.parentPath, e.name).slice(dir.length + 1)] = await readFile(join(e.parentPath, e.name), 'utf8');
      return out;
    };
    const before = await snapshot();
    const next = petstore();
    delete next.paths['/store/inventory'];
    next.paths['/owners'] = { get: { tags: ['owners'], summary: 'List owners', responses: {} } };
    operation(next, 'listPets').summary = 'All the pets';
    source.set(next);
    expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'applied', written: true });
    expect(await snapshot()).not.toEqual(before);
    await engine.rollback('pets');
    expect(await snapshot()).toEqual(before);
  });
});

describe('brunoTarget: filters and options', () => {
  it('a filtered-out operation is neither added nor removed', async () => {
    const dir = join(root, `case-${++counter}`);
    const engine = new SyncEngine({ store: new MemoryStore() });
    const source = new MemorySource(petstore());
    const filter = { exclude: { tags: ['store'], operationIds: ['deletePet'] } };
    await engine.addSource({ id: 'pets', source, target: brunoTarget({ dir, filter }), intervalMs: 0, policy: { removal: 'remove' } });
    await engine.syncNow('pets');
    expect(Object.keys(await requests(dir)).sort()).toEqual(['pets/Add a pet.bru', 'pets/Get a pet.bru', 'pets/List pets.bru']);
    // The user's own request for a filtered-out operation stays when upstream removes the operation.
    const mine: BruRequestFile = {
      meta: { name: 'Inventory', type: 'http', seq: '1' },
      http: { method: 'get', url: '{{baseUrl}}/store/inventory', body: 'none', auth: 'none' },
    };
    await writeFile(join(dir, 'Inventory.bru'), lang.jsonToBruV2(mine));
    const next = petstore();
    delete next.paths['/store/inventory'];
    source.set(next);
    expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'applied', conflicts: [] });
    expect(Object.keys(await requests(dir))).toContain('Inventory.bru');
  });

  it('refuses bad options with a ConfigError', () => {
    for (const options of [
      {},
      { dir: '' },
      { dir: 'x', baseUrlVariable: 'a b' },
      { dir: 'x', environment: '../up' },
      { dir: 'x', nope: 1 },
    ]) {
      expect(() => brunoTarget(options as never), JSON.stringify(options)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
    expect(() => brunoTarget({ dir: 'x', filter: { include: { tags: 'pets' } } as never })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
