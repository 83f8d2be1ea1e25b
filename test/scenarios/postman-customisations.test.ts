/**
 * The Postman target through a real SyncEngine: every edit a user makes in
 * the collection (scripts, disabled parameters and headers, descriptions,
 * saved responses, item ids, renames, moves, their own requests and
 * folders, deletions) survives every kind of upstream change to the same
 * operation, and the upstream change arrives.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncEngine, type RemovalPolicy, type SyncResult } from '../../src/index.js';
import {
  isPostmanFolder,
  parsePostmanCollection,
  postmanTarget,
  type PostmanCollection,
  type PostmanFolder,
  type PostmanItem,
  type PostmanRequest,
  type PostmanUrl,
} from '../../src/targets/postman/index.js';
import { MemorySource, MemoryStore } from '../../src/testing/index.js';
import { sdkCheck } from '../support/postman.js';

type Json = Record<string, any>;

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'als-postman-scenarios-'));
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

type Upstream = 'new parameter' | 'changed parameter' | 'changed schema' | 'new response' | 'summary change';
const UPSTREAM: Upstream[] = ['new parameter', 'changed parameter', 'changed schema', 'new response', 'summary change'];

/** The API after an upstream change to one operation. */
function changed(kind: Upstream, operationId: string): Json {
  const document = petstore();
  const op = operation(document, operationId);
  if (kind === 'new parameter') op.parameters.push({ name: 'sort', in: 'query', schema: { type: 'string' }, example: 'name' });
  if (kind === 'changed parameter') {
    const query = (op.parameters as Json[]).find((p) => p.in === 'query')!;
    Object.assign(query, { schema: { type: 'string' }, example: 'changed', description: 'Changed upstream' });
  }
  if (kind === 'changed schema') {
    if (op.requestBody) op.requestBody.content['application/json'].schema.properties.age = { type: 'integer', example: 3 };
    else op.responses['200'].content['application/json'].example = [{ id: 1, name: 'Rex', age: 3 }];
  }
  if (kind === 'new response')
    op.responses['404'] = { description: 'Not found', content: { 'application/json': { example: { message: 'no such pet' } } } };
  if (kind === 'summary change') op.summary = `${op.summary} (v2)`;
  return document;
}

// ---------------------------------------------------------------- file helpers

async function readJson(file: string): Promise<PostmanCollection> {
  return JSON.parse(await readFile(file, 'utf8')) as PostmanCollection;
}

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

/** The item of an operation, by its id or, for ids the app replaced, by the request's original method and path. */
function find(collection: PostmanCollection, id: string): { item: PostmanItem; folder: string | null } | undefined {
  return walk(collection).find((entry) => entry.item.id === id);
}

function item(collection: PostmanCollection, id: string): PostmanItem {
  const found = find(collection, id);
  if (found === undefined) throw new Error(`no request ${id} in the collection`);
  return found.item;
}

const request = (c: PostmanCollection, id: string) => item(c, id).request as PostmanRequest;
const url = (c: PostmanCollection, id: string) => request(c, id).url as PostmanUrl;

function folder(collection: PostmanCollection, name: string): PostmanFolder {
  const found = collection.item.find((f): f is PostmanFolder => isPostmanFolder(f) && f.name === name);
  if (found === undefined) throw new Error(`no folder ${name}`);
  return found;
}

const ids = (f: PostmanFolder) => f.item.map((entry) => (isPostmanFolder(entry) ? `folder:${entry.name}` : (entry.id ?? entry.name)));

async function setup(document: Json = petstore(), policy: { removal?: RemovalPolicy } = {}) {
  const dir = join(root, `case-${++counter}`);
  await mkdir(dir);
  const file = join(dir, 'petstore.postman_collection.json');
  const store = new MemoryStore();
  const engine = new SyncEngine({ store });
  const source = new MemorySource(document);
  await engine.addSource({
    id: 'pets',
    source,
    target: postmanTarget({ path: file }),
    intervalMs: 0,
    policy: { removal: 'deprecate', ...policy },
  });
  const first = await engine.syncNow('pets');
  expect(first).toMatchObject({ outcome: 'applied', written: true });
  const edit = async (change: (collection: PostmanCollection) => void) => {
    const collection = await readJson(file);
    change(collection);
    // As the app saves it: tabs.
    await writeFile(file, JSON.stringify(collection, null, '\t'));
  };
  return { dir, file, store, engine, source, edit };
}

// ---------------------------------------------------------------- customisations

interface Customisation {
  name: string;
  operation: string;
  apply(collection: PostmanCollection): void;
  check(after: PostmanCollection, result: SyncResult): void;
  /** The upstream change cannot arrive where it collides with the edit (a conflict; the local value stays). */
  collides?: Upstream[];
  /** The one conflict each upstream change gives, if any. */
  conflicts?: Partial<Record<Upstream, string>>;
}

const UUID = '9b2e3c4d-1a2b-4c3d-8e9f-0a1b2c3d4e5f';

const CUSTOMISATIONS: Customisation[] = [
  {
    name: 'auth',
    operation: 'listPets',
    apply: (c) => {
      request(c, 'listPets').auth = { type: 'bearer', bearer: [{ key: 'token', value: '{{myToken}}', type: 'string' }] };
    },
    check: (c) =>
      expect(request(c, 'listPets').auth).toEqual({ type: 'bearer', bearer: [{ key: 'token', value: '{{myToken}}', type: 'string' }] }),
  },
  {
    name: 'header value',
    operation: 'listPets',
    apply: (c) => {
      (request(c, 'listPets').header as Json[]).find((h) => h.key === 'X-Trace')!.value = 'my-trace';
    },
    check: (c) => expect((request(c, 'listPets').header as Json[]).find((h) => h.key === 'X-Trace')?.value).toBe('my-trace'),
  },
  {
    name: 'disabled header',
    operation: 'listPets',
    apply: (c) => {
      (request(c, 'listPets').header as Json[]).find((h) => h.key === 'X-Trace')!.disabled = true;
    },
    check: (c) => expect((request(c, 'listPets').header as Json[]).find((h) => h.key === 'X-Trace')?.disabled).toBe(true),
  },
  {
    name: 'added header',
    operation: 'listPets',
    apply: (c) => {
      (request(c, 'listPets').header as Json[]).push({ key: 'x-api-version', value: '2' });
    },
    check: (c) => expect((request(c, 'listPets').header as Json[]).map((h) => h.key)).toEqual(['X-Trace', 'x-api-version']),
  },
  {
    name: 'param value',
    operation: 'listPets',
    apply: (c) => {
      url(c, 'listPets').query!.find((q) => q.key === 'limit')!.value = '5';
    },
    check: (c) => {
      expect(url(c, 'listPets').query!.find((q) => q.key === 'limit')?.value).toBe('5');
      expect(url(c, 'listPets').raw).toMatch(/[?&]limit=5(&|$)/);
    },
    conflicts: { 'changed parameter': '/requests/listPets/request/query/0/value' },
  },
  {
    name: 'added param',
    operation: 'listPets',
    apply: (c) => {
      url(c, 'listPets').query!.push({ key: 'owner', value: 'me' });
    },
    check: (c) => expect(url(c, 'listPets').query!.find((q) => q.key === 'owner')).toEqual({ key: 'owner', value: 'me' }),
  },
  {
    name: 'disabled param (postman-app-support#12701)',
    operation: 'listPets',
    apply: (c) => {
      url(c, 'listPets').query!.find((q) => q.key === 'limit')!.disabled = true;
    },
    check: (c) => {
      expect(url(c, 'listPets').query!.find((q) => q.key === 'limit')?.disabled).toBe(true);
      expect(url(c, 'listPets').raw).not.toContain('limit=');
    },
  },
  {
    name: 'body edit',
    operation: 'createPet',
    apply: (c) => {
      request(c, 'createPet').body!.raw = '{ "name": "Fido", "tag": "cat" }';
    },
    check: (c) => expect(request(c, 'createPet').body?.raw).toBe('{ "name": "Fido", "tag": "cat" }'),
    collides: ['changed schema'],
    conflicts: { 'changed schema': '/requests/createPet/request/body/raw' },
  },
  {
    name: 'pre-request and test scripts',
    operation: 'listPets',
    apply: (c) => {
      item(c, 'listPets').event = [
        { listen: 'prerequest', script: { type: 'text/javascript', exec: ['pm.variables.set("start", Date.now());'] } },
        { listen: 'test', script: { type: 'text/javascript', exec: ['pm.test("ok", () => pm.response.to.have.status(200));'] } },
      ];
    },
    check: (c) =>
      expect(item(c, 'listPets').event?.map((e) => [e.listen, e.script?.exec])).toEqual([
        ['prerequest', ['pm.variables.set("start", Date.now());']],
        ['test', ['pm.test("ok", () => pm.response.to.have.status(200));']],
      ]),
  },
  {
    name: 'rename',
    operation: 'listPets',
    apply: (c) => {
      item(c, 'listPets').name = 'My pets';
    },
    check: (c) => expect(item(c, 'listPets').name).toBe('My pets'),
    collides: ['summary change'],
    conflicts: { 'summary change': '/requests/listPets/request/name' },
  },
  {
    name: 'description',
    operation: 'listPets',
    apply: (c) => {
      request(c, 'listPets').description = 'Ask Sam before paging past 100.';
    },
    check: (c) => expect(request(c, 'listPets').description).toBe('Ask Sam before paging past 100.'),
  },
  {
    name: 'folder move',
    operation: 'listPets',
    apply: (c) => {
      const pets = folder(c, 'pets');
      const [moved] = pets.item.splice(
        pets.item.findIndex((e) => (e as PostmanItem).id === 'listPets'),
        1,
      );
      folder(c, 'store').item.unshift(moved!);
    },
    check: (c) => {
      expect(find(c, 'listPets')?.folder).toBe('store');
      expect(ids(folder(c, 'store'))[0]).toBe('listPets');
      expect(ids(folder(c, 'pets'))).toEqual(['createPet', 'getPet', 'deletePet']);
    },
  },
  {
    name: 'saved response',
    operation: 'listPets',
    apply: (c) => {
      const saved = item(c, 'listPets').response!;
      saved.push({ ...structuredClone(saved[0]!), name: 'Empty store', body: '[]' });
    },
    check: (c) => {
      const names = item(c, 'listPets').response!.map((r) => r.name);
      expect(names).toContain('Empty store');
      expect(names).toContain('A page of pets');
      expect(item(c, 'listPets').response!.find((r) => r.name === 'Empty store')?.body).toBe('[]');
    },
  },
  {
    name: 'item id the Postman app gave',
    operation: 'listPets',
    apply: (c) => {
      item(c, 'listPets').id = UUID;
    },
    check: (c) => {
      expect(find(c, 'listPets')).toBeUndefined();
      expect(item(c, UUID).name).toMatch(/^List pets/);
    },
  },
  {
    name: 'user-added request',
    operation: 'listPets',
    apply: (c) => {
      folder(c, 'pets').item.splice(1, 0, {
        name: 'Health check',
        request: { method: 'GET', url: { raw: '{{baseUrl}}/health', host: ['{{baseUrl}}'], path: ['health'] } },
      });
    },
    check: (c) => {
      const names = folder(c, 'pets').item.map((e) => e.name);
      expect(names.filter((n) => n === 'Health check')).toHaveLength(1);
      expect(names.indexOf('Health check')).toBe(1);
      expect(walk(c).find((e) => e.item.name === 'Health check')?.item.id).toBeUndefined();
    },
  },
  {
    name: 'user-added folder',
    operation: 'listPets',
    apply: (c) => {
      c.item.push({
        name: 'Scratch',
        description: 'my experiments',
        item: [{ name: 'Inventory again', request: '{{baseUrl}}/store/inventory?x=1' }],
      });
    },
    check: (c) => {
      const scratch = folder(c, 'Scratch');
      expect(scratch.description).toBe('my experiments');
      expect(scratch.item.map((e) => e.name)).toEqual(['Inventory again']);
      expect(c.item.map((f) => f.name)).toEqual(['pets', 'store', 'Scratch']);
      expect(item(c, 'getInventory').name).toBe('Inventory');
    },
  },
  {
    name: 'user deletion',
    operation: 'listPets',
    apply: (c) => {
      const pets = folder(c, 'pets');
      pets.item = pets.item.filter((e) => (e as PostmanItem).id !== 'listPets');
    },
    check: (c, result) => {
      expect(find(c, 'listPets')).toBeUndefined();
      expect(walk(c).filter((e) => (e.item.request as PostmanRequest).method === 'GET' && e.item.name?.includes('List'))).toEqual([]);
      expect(result.conflicts.map((x) => x.kind)).toEqual(['deleted-vs-changed']);
    },
    collides: [...UPSTREAM],
    conflicts: Object.fromEntries(UPSTREAM.map((kind) => [kind, '/requests/listPets'])),
  },
];

/** The upstream change is in the collection. */
function arrived(kind: Upstream, c: PostmanCollection, operationId: string): void {
  const found = find(c, operationId) ?? find(c, UUID)!;
  const r = found.item.request as PostmanRequest;
  const query = (r.url as PostmanUrl).query ?? [];
  const name = operationId === 'listPets' ? 'limit' : 'dryRun';
  if (kind === 'new parameter') expect(query.find((p) => p.key === 'sort')).toEqual({ key: 'sort', value: 'name' });
  if (kind === 'changed parameter') expect(query.find((p) => p.key === name)?.description).toBe('Changed upstream');
  if (kind === 'changed schema') {
    if (operationId === 'createPet') expect(r.body?.raw).toContain('"age": 3');
    else expect(found.item.response?.find((x) => x.name === 'A page of pets')?.body).toContain('"age": 3');
  }
  if (kind === 'new response')
    expect(found.item.response?.find((x) => x.name === 'Not found')).toMatchObject({
      code: 404,
      body: expect.stringContaining('no such pet'),
    });
  if (kind === 'summary change') expect(found.item.name).toMatch(/ \(v2\)$/);
}

describe('postmanTarget: customisations survive upstream changes', () => {
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
          expect(() => parsePostmanCollection(after)).not.toThrow();
          expect(sdkCheck(after)).toEqual([]);
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
  for (const [path, pathItem] of Object.entries(document.paths as Json)) {
    for (const [method, op] of Object.entries(pathItem as Json))
      if (operationIds.includes((op as Json).operationId)) delete (pathItem as Json)[method];
    if (Object.keys(pathItem as Json).length === 0) delete document.paths[path];
  }
  return document;
}

describe('postmanTarget: operations removed upstream', () => {
  const editDelete = (c: PostmanCollection) => {
    item(c, 'deletePet').event = [{ listen: 'test', script: { exec: ['pm.test("gone", () => pm.response.to.have.status(204));'] } }];
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
    const kept = item(await readJson(edited.file), 'deletePet');
    expect(kept.name).toBe('[deprecated] Delete a pet');
    expect((kept.request as PostmanRequest).description).toMatch(/^Removed upstream: .*removal policy "remove"/);
    expect(kept.event?.[0]?.script?.exec).toEqual(['pm.test("gone", () => pm.response.to.have.status(204));']);
  });

  it('deprecate: requests stay in place, marked, and the mark goes when the operation comes back', async () => {
    const { file, engine, source, edit } = await setup(petstore(), { removal: 'deprecate' });
    await edit(editDelete);
    source.set(without('deletePet'));
    expect((await engine.syncNow('pets')).outcome).toBe('applied');
    const after = await readJson(file);
    expect(item(after, 'deletePet').name).toBe('[deprecated] Delete a pet');
    expect(ids(folder(after, 'pets'))).toEqual(['listPets', 'createPet', 'getPet', 'deletePet']);
    source.set(petstore());
    await engine.syncNow('pets');
    const back = item(await readJson(file), 'deletePet');
    expect(back.name).toBe('Delete a pet');
    expect((back.request as PostmanRequest).description).toBeUndefined();
    expect(back.event).toHaveLength(1);
  });

  it('keep: removed requests stay exactly as they were', async () => {
    const { file, engine, source } = await setup(petstore(), { removal: 'keep' });
    const before = item(await readJson(file), 'deletePet');
    source.set(without('deletePet'));
    await engine.syncNow('pets');
    expect(item(await readJson(file), 'deletePet')).toEqual(before);
  });
});

// ---------------------------------------------------------------- variables

describe('postmanTarget: variables', () => {
  it('keeps the user base URL and their own variables, and never writes the value of a secret one', async () => {
    const { file, engine, source, edit } = await setup();
    await edit((c) => {
      c.variable = [
        { key: 'baseUrl', value: 'http://localhost:4321', type: 'string' },
        { key: 'token', value: 'tok-s3cret', type: 'string', secret: true },
        { key: 'user', value: 'alice', type: 'string' },
      ];
      folder(c, 'pets').variable = [{ key: 'petKey', value: 'pk-s3cret', type: 'secret' }];
    });
    source.set(changed('new parameter', 'listPets'));
    expect((await engine.syncNow('pets')).written).toBe(true);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('s3cret');
    const after = JSON.parse(text) as PostmanCollection;
    expect(after.variable).toEqual([
      { key: 'baseUrl', value: 'http://localhost:4321', type: 'string' },
      { key: 'token', value: '', type: 'string', secret: true },
      { key: 'user', value: 'alice', type: 'string' },
    ]);
    expect(folder(after, 'pets').variable).toEqual([{ key: 'petKey', value: '', type: 'secret' }]);
  });

  it('follows a new server URL upstream while the user has not changed theirs', async () => {
    const { file, engine, source } = await setup();
    const moved = petstore();
    moved.servers = [{ url: 'https://api.example.com/v2' }];
    source.set(moved);
    await engine.syncNow('pets');
    expect((await readJson(file)).variable).toEqual([{ key: 'baseUrl', value: 'https://api.example.com/v2', type: 'string' }]);
  });
});

// ---------------------------------------------------------------- invalid local files, options

describe('postmanTarget: an invalid local file is refused and left as it is', () => {
  const cases: Array<[string, (text: string) => string, RegExp]> = [
    ['not JSON', (text) => text.slice(0, 40), /not valid JSON/],
    ['a collection v2.0', (text) => text.replace('v2.1.0', 'v2.0.0'), /Collection v2\.1/],
    ['a header without a key', (text) => text.replace('"key": "X-Trace"', '"key": 7'), /item\[0\]\.item\[0\]\.request\.header\[0\]\.key/],
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

describe('postmanTarget: options', () => {
  it('refuses bad options with a ConfigError', () => {
    expect(() => postmanTarget({ path: '' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => postmanTarget({ path: 'x.json', baseUrlVariable: '{{x}}' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => postmanTarget({ path: 'x.json', indent: 1.5 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => postmanTarget({ path: 'x.json', version: 2 } as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(postmanTarget({ path: 'x.json', baseUrlVariable: 'api.url', indent: 4 }).kind).toBe('postman');
  });

  it('writes the server variable under the name given', async () => {
    const dir = await mkdtemp(join(root, 'var-'));
    const file = join(dir, 'c.json');
    const engine = new SyncEngine();
    await engine.addSource({
      id: 'v',
      source: new MemorySource(petstore()),
      target: postmanTarget({ path: file, baseUrlVariable: 'api' }),
      intervalMs: 0,
    });
    await engine.syncNow('v');
    const written = await readJson(file);
    expect(written.variable?.map((v) => v.key)).toEqual(['api']);
    expect(url(written, 'getPet').raw).toBe('{{api}}/pets/:petId');
  });
});

// ---------------------------------------------------------------- auth variables, filters

describe('postmanTarget: auth variables and filters', () => {
  it('security schemes become secret, empty collection variables the auth refers to', async () => {
    const document = petstore();
    document.components = {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' }, keyAuth: { type: 'apiKey', in: 'query', name: 'key' } },
    };
    document.security = [{ bearerAuth: [] }];
    operation(document, 'getInventory').security = [{ keyAuth: [] }];
    const { file, engine, source, edit } = await setup(document);
    const written = await readJson(file);
    expect(written.auth).toEqual({ type: 'bearer', bearer: [{ key: 'token', value: '{{bearerAuth_token}}', type: 'string' }] });
    expect(request(written, 'getInventory').auth).toMatchObject({
      type: 'apikey',
      apikey: expect.arrayContaining([{ key: 'value', value: '{{keyAuth_key}}', type: 'string' }]),
    });
    expect(written.variable).toEqual([
      { key: 'baseUrl', value: 'http://127.0.0.1:9/api', type: 'string' },
      { key: 'bearerAuth_token', value: '', type: 'string', secret: true },
      { key: 'keyAuth_key', value: '', type: 'string', secret: true },
    ]);
    // A token typed into the file is never written back.
    await edit((c) => {
      c.variable!.find((v) => v.key === 'bearerAuth_token')!.value = 'tok-s3cret';
    });
    source.set({
      ...document,
      info: { ...document.info, version: '2' },
      paths: { ...document.paths, '/ping': { get: { operationId: 'ping', responses: {} } } },
    });
    expect((await engine.syncNow('pets')).written).toBe(true);
    expect(await readFile(file, 'utf8')).not.toContain('s3cret');
  });

  it('an operation filtered out is neither added nor removed', async () => {
    const dir = await mkdtemp(join(root, 'filter-'));
    const file = join(dir, 'c.json');
    const engine = new SyncEngine();
    const source = new MemorySource(petstore());
    const target = postmanTarget({ path: file, filter: { exclude: { tags: ['store'], operationIds: ['deletePet'] } } });
    await engine.addSource({ id: 'f', source, target, intervalMs: 0, policy: { removal: 'remove' } });
    await engine.syncNow('f');
    expect(walk(await readJson(file)).map((e) => e.item.id)).toEqual(['listPets', 'createPet', 'getPet']);
    // The user keeps a request of their own for the excluded DELETE; upstream adds an operation under the excluded tag.
    const edited = await readJson(file);
    folder(edited, 'pets').item.push({ name: 'Delete by hand', request: { method: 'DELETE', url: '{{baseUrl}}/pets/:petId' } });
    await writeFile(file, JSON.stringify(edited, null, 2));
    const document = petstore();
    document.paths['/store/orders'] = { get: { tags: ['store'], operationId: 'listOrders', responses: { '200': { description: 'ok' } } } };
    source.set(document);
    expect(await engine.syncNow('f')).toMatchObject({ outcome: 'applied', conflicts: [] });
    const after = await readJson(file);
    expect(walk(after).map((e) => e.item.id ?? e.item.name)).toEqual(['listPets', 'createPet', 'getPet', 'Delete by hand']);
    expect(() => postmanTarget({ path: file, filter: { exclude: { tags: 'store' } } as never })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

// ---------------------------------------------------------------- ids the app gave

describe('postmanTarget: a collection exported again from the Postman app', () => {
  it('with every item id replaced, a rename and a move, still syncs by method and URL, keeping the app ids', async () => {
    const { file, engine, source, edit } = await setup();
    const appIds = new Map<string, string>();
    await edit((c) => {
      walk(c).forEach(({ item: entry }, index) => {
        const uuid = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
        appIds.set(entry.id as string, uuid);
        entry.id = uuid;
      });
      const pets = folder(c, 'pets');
      pets.item.find((e) => e.name === 'List pets')!.name = 'All my pets';
      const getPet = pets.item.splice(
        pets.item.findIndex((e) => e.name === 'Get a pet'),
        1,
      )[0]!;
      c.item.push(getPet);
    });
    source.set(changed('new parameter', 'listPets'));
    const result = await engine.syncNow('pets');
    expect(result.conflicts).toEqual([]);
    const after = await readJson(file);
    expect(walk(after).map((e) => [e.folder, e.item.id, e.item.name])).toEqual([
      ['pets', appIds.get('listPets'), 'All my pets'],
      ['pets', appIds.get('createPet'), 'Add a pet'],
      ['pets', appIds.get('deletePet'), 'Delete a pet'],
      ['store', appIds.get('getInventory'), 'Inventory'],
      [null, appIds.get('getPet'), 'Get a pet'],
    ]);
    expect(((item(after, appIds.get('listPets')!).request as PostmanRequest).url as PostmanUrl).query?.map((q) => q.key)).toEqual([
      'limit',
      'sort',
    ]);
  });
});

describe('postmanTarget: a collection whose user wrote the server URL in place of {{baseUrl}}', () => {
  it('without ids and without any stored state (a new store), still ties each request to its operation', async () => {
    const { file } = await setup();
    const made = await readJson(file);
    for (const { item: entry } of walk(made)) {
      delete entry.id;
      const url = (entry.request as PostmanRequest).url as PostmanUrl;
      url.raw = url.raw!.replace('{{baseUrl}}', 'http://127.0.0.1:9/api');
      Object.assign(url, { protocol: 'http', host: ['127', '0', '0', '1'], port: '9', path: ['api', ...(url.path as string[])] });
    }
    await writeFile(file, JSON.stringify(made, null, '\t'));
    const engine = new SyncEngine({ store: new MemoryStore() });
    await engine.addSource({
      id: 'fresh',
      source: new MemorySource(changed('new parameter', 'listPets')),
      target: postmanTarget({ path: file }),
      intervalMs: 0,
    });
    await engine.syncNow('fresh');
    const after = await readJson(file);
    // No request doubled: each of the five is tied to its operation and keeps the user's URL.
    expect(walk(after)).toHaveLength(5);
    expect(url(after, 'listPets').raw).toBe('http://127.0.0.1:9/api/pets?limit=10&sort=name');
    expect(
      walk(after)
        .map((e) => e.item.id)
        .sort(),
    ).toEqual(['createPet', 'deletePet', 'getInventory', 'getPet', 'listPets']);
  });
});
