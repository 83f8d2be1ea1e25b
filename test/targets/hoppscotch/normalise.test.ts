import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  denormaliseCollection,
  hoppscotchTarget,
  hoppscotchTargetIdentityRules,
  operationHints,
  normaliseCollection,
  prepareCollectionMerge,
  reconcileCollection,
  renderCollection,
  type HoppCollection,
  type HoppIdentityRecord,
  type HoppRequest,
  type NormalisedCollection,
  type NormalisedRequest,
} from '../../../src/targets/hoppscotch/index.js';
import type { BindingRecords, TargetContext } from '../../../src/targets/index.js';
import { oasExamples } from './oas-examples.js';
import { matchPointerPattern } from '../../../src/json/index.js';

const document = {
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1' },
  servers: [{ url: 'https://api.example.com' }],
  tags: [{ name: 'pets' }, { name: 'store' }],
  paths: {
    '/pets': {
      get: { tags: ['pets'], operationId: 'listPets', summary: 'List pets', responses: { '200': { description: 'ok' } } },
      post: { tags: ['pets'], operationId: 'createPet', summary: 'Add a pet', responses: { '201': { description: 'ok' } } },
    },
    '/pets/{id}': { get: { tags: ['pets'], summary: 'Get a pet', responses: { '200': { description: 'ok' } } } },
    '/store': { get: { tags: ['store'], operationId: 'getStore', responses: { '200': { description: 'ok' } } } },
    '/health': { get: { summary: 'Health', operationId: 'health', responses: { '200': { description: 'ok' } } } },
  },
};

const rendered = (): HoppCollection => renderCollection(document).collection;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function memoryRecords(): BindingRecords & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: async <T>(key: string) => structuredClone(data.get(key)) as T | undefined,
    set: async (key, value) => {
      data.set(key, structuredClone(value));
    },
  };
}

function context(records: BindingRecords = memoryRecords()): TargetContext {
  return { sourceId: 'b', bindingId: 'b', signal: new AbortController().signal, records };
}

describe('normaliseCollection / denormaliseCollection', () => {
  it('round-trips every rendered @readme/oas-examples document exactly', async () => {
    const examples = await oasExamples(/^(2\.0|3\.0|3\.1)\/json\/.+\.json$/);
    expect(examples.length).toBeGreaterThan(20);
    let requests = 0;
    for (const { file, document: doc } of examples) {
      const { collection } = renderCollection(doc);
      const normalised = normaliseCollection(collection, { trustIds: true });
      requests += Object.keys(normalised.requests).length;
      expect(denormaliseCollection(normalised).collection, file).toEqual(collection);
    }
    expect(requests).toBeGreaterThan(500);
  });

  it('keys requests by operation identity, user requests and duplicate folder names apart', () => {
    const collection = rendered();
    const pets = collection.folders[0] as HoppCollection;
    const { id: _id, ...copy } = pets.requests[0] as HoppRequest;
    pets.requests.push({ ...copy, name: 'Mine' }, { ...copy, name: 'Mine' });
    (collection.folders as HoppCollection[]).push({ ...structuredClone(pets), name: 'pets', requests: [] });
    const normalised = normaliseCollection(collection, { trustIds: true });
    expect(Object.keys(normalised.requests)).toEqual([
      'listPets',
      'createPet',
      'GET /pets/{}',
      'user:GET /pets Mine',
      'user:GET /pets Mine#2',
      'getStore',
      'health',
    ]);
    expect(Object.keys(normalised.folders)).toEqual(['pets', 'store', 'pets#2']);
    expect(normalised.requestOrder).toEqual({
      pets: ['listPets', 'createPet', 'GET /pets/{}', 'user:GET /pets Mine', 'user:GET /pets Mine#2'],
      store: ['getStore'],
      '': ['health'],
    });
    expect(normalised.requests.listPets?.request).not.toHaveProperty('id');
    expect(normalised.requests['user:GET /pets Mine']?.folder).toBe('pets');
  });

  it("a duplicated request (same id) becomes the user's own, and is written without the id", () => {
    const collection = rendered();
    const pets = collection.folders[0] as HoppCollection;
    pets.requests.push({ ...structuredClone(pets.requests[0] as HoppRequest), name: 'List pets (copy)' });
    const normalised = normaliseCollection(collection, { trustIds: true });
    expect(normalised.requests['user:listPets']?.request.name).toBe('List pets (copy)');
    const written = denormaliseCollection(normalised).collection.folders[0] as HoppCollection;
    expect(written.requests.map((r) => [r.id, r.name])).toEqual([
      ['listPets', 'List pets'],
      ['createPet', 'Add a pet'],
      ['GET /pets/{}', 'Get a pet'],
      [undefined, 'List pets (copy)'],
    ]);
  });

  it('uses the stored record: a request at the same place with the same name keeps its identity after an endpoint edit; a renamed folder keeps its key', () => {
    const { collection, record } = denormaliseCollection(normaliseCollection(rendered(), { trustIds: true }));
    const edited = structuredClone(collection);
    const pets = edited.folders[0] as HoppCollection;
    const list = pets.requests[0] as HoppRequest;
    delete list.id;
    list.endpoint = '<<baseUrl>>/v2/pets';
    pets.name = 'Animals';
    for (const r of pets.requests) delete r.id;
    const normalised = normaliseCollection(edited, { stored: record });
    expect(normalised.requests.listPets?.request.endpoint).toBe('<<baseUrl>>/v2/pets');
    expect(normalised.folders.pets?.folder.name).toBe('Animals');
    expect(Object.keys(normalised.requests).sort()).toEqual(['GET /pets/{}', 'createPet', 'getStore', 'health', 'listPets']);
    // Without the record, the edited endpoint matches nothing: it is the user's own.
    expect(Object.keys(normaliseCollection(edited, {}).requests)).toContain('user:GET /v2/pets List pets');
  });

  it('nests defensively: a parent cycle is broken at its first folder, a missing folder means the root, a v12 folder under v11 becomes v11', () => {
    const normalised = normaliseCollection(rendered(), { trustIds: true });
    const broken: NormalisedCollection = {
      ...normalised,
      collection: { ...normalised.collection, v: 11 },
      folders: {
        pets: { ...normalised.folders.pets!, parent: 'store' },
        store: { ...normalised.folders.store!, parent: 'pets' },
      },
      requests: { ...normalised.requests, health: { ...normalised.requests.health!, folder: 'gone' } },
    };
    const { collection } = denormaliseCollection(broken);
    expect(collection.v).toBe(11);
    expect(collection.folders.map((f) => [f.name, f.folders.map((g) => g.name)])).toEqual([['pets', ['store']]]);
    const store = collection.folders[0]?.folders[0] as HoppCollection;
    expect([collection.folders[0]?.v, store.v, 'testScript' in store, store.requests.map((r) => r.id)]).toEqual([
      11,
      11,
      false,
      ['getStore'],
    ]);
    expect(collection.requests.map((r) => r.id)).toEqual(['health']);
  });
});

describe('normaliseCollection: folder keys from the stored record', () => {
  const auth = { authType: 'inherit', authActive: true };
  const request = (name: string, id?: string, endpoint = '<<baseUrl>>/pets') =>
    ({
      v: '16',
      name,
      method: 'GET',
      endpoint,
      params: [],
      headers: [],
      requestVariables: [],
      ...(id === undefined ? {} : { id }),
    }) as unknown as HoppRequest;
  const folder = (name: string, requests: HoppRequest[] = []) =>
    ({ v: 12, name, folders: [], requests, auth, headers: [] }) as unknown as HoppCollection;
  const collection = (...folders: HoppCollection[]) =>
    ({ v: 12, name: 'C', folders, requests: [], auth, headers: [] }) as unknown as HoppCollection;
  const record = (folders: HoppIdentityRecord['folders'], requests: HoppIdentityRecord['requests'] = []): HoppIdentityRecord => ({
    v: 2,
    folders,
    requests,
  });
  const keysOf = (local: HoppCollection, stored: HoppIdentityRecord) =>
    Object.entries(normaliseCollection(local, { stored }).folders).map(([key, f]) => [key, f.folder.name]);

  it('gives a folder at its stored place under its stored name the stored key', () => {
    expect(keysOf(collection(folder('Pets')), record([{ path: '/folders/0', key: 'pets', name: 'Pets' }]))).toEqual([['pets', 'Pets']]);
    // Two folders of one name: each keeps the key of its place, whatever the order of the record.
    const twins = record([
      { path: '/folders/1', key: 'second', name: 'Pets' },
      { path: '/folders/0', key: 'first', name: 'Pets' },
    ]);
    expect(keysOf(collection(folder('Pets'), folder('Pets')), twins)).toEqual([
      ['first', 'Pets'],
      ['second', 'Pets'],
    ]);
  });

  it('gives a moved folder the key stored under its name, once', () => {
    const stored = record([{ path: '/folders/3', key: 'pets', name: 'Pets' }]);
    expect(keysOf(collection(folder('Other'), folder('Pets')), stored)).toEqual([
      ['Other', 'Other'],
      ['pets', 'Pets'],
    ]);
    expect(keysOf(collection(folder('Pets'), folder('Pets')), stored)).toEqual([
      ['pets', 'Pets'],
      ['Pets', 'Pets'],
    ]);
  });

  it('gives a renamed folder the key of the stored folder most of its requests came from', () => {
    const stored = record(
      [
        { path: '/folders/0', key: 'pets', name: 'Pets' },
        { path: '/folders/1', key: 'store', name: 'Store' },
      ],
      [
        { path: '/folders/0/requests/0', key: 'listPets', name: 'List', endpoint: 'GET /pets' },
        { path: '/folders/0/requests/1', key: 'addPet', name: 'Add', endpoint: 'GET /pets' },
        { path: '/folders/1/requests/0', key: 'getStore', name: 'Get', endpoint: 'GET /pets' },
      ],
    );
    const local = collection(
      folder('Stock'),
      folder('Animals', [request('Get', 'getStore'), request('List', 'listPets'), request('Add', 'addPet')]),
    );
    expect(keysOf(local, stored)).toEqual([
      ['Stock', 'Stock'],
      ['pets', 'Animals'],
    ]);
  });

  it('keys other folders by name, numbering repeats past taken keys, an empty name and __proto__', () => {
    const local = collection(folder('A'), folder('A#2'), folder('A'), folder(''), folder('__proto__'));
    expect(keysOf(local, record([]))).toEqual([
      ['A', 'A'],
      ['A#2', 'A#2'],
      ['A#3', 'A'],
      ['#2', ''],
      ['__proto__#2', '__proto__'],
    ]);
  });

  it('gives a renamed, emptied folder at its stored place the stored key', () => {
    expect(keysOf(collection(folder('Animals')), record([{ path: '/folders/0', key: 'pets', name: 'Pets' }]))).toEqual([
      ['pets', 'Animals'],
    ]);
  });

  it('keys a user request by its own id without the user prefix, or by method, endpoint and name', () => {
    const local = collection(folder('F', [request('Mine', 'user:mine'), request('N', '', '<<baseUrl>>/pets/<<petId>>')]));
    expect(
      Object.keys(
        normaliseCollection(local, { stored: record([], [{ path: '/x', key: 'listPets', name: 'L', endpoint: 'GET /x' }]) }).requests,
      ),
    ).toEqual(['user:mine', 'user:GET /pets/{petId} N']);
  });
});

describe('normaliseCollection: which ids are taken as they are', () => {
  const request = (id: string, endpoint = '<<baseUrl>>/elsewhere') =>
    ({ v: '16', id, name: 'R', method: 'GET', endpoint, params: [], headers: [], requestVariables: [] }) as unknown as HoppRequest;
  const local = (...requests: HoppRequest[]) =>
    ({
      v: 12,
      name: 'C',
      folders: [],
      requests,
      auth: { authType: 'inherit', authActive: true },
      headers: [],
    }) as unknown as HoppCollection;
  const record = (...keys: string[]): HoppIdentityRecord => ({
    v: 2,
    folders: [],
    requests: keys.map((key, i) => ({ path: `/requests/${i + 5}`, key, name: 'Old', endpoint: 'GET /old' })),
  });
  const search = renderCollection({
    openapi: '3.0.3',
    info: { title: 'S', version: '1' },
    paths: { '/search?kind=pets': { get: { summary: 'Search' } }, '/pets': { get: { operationId: 'listPets' } } },
  }).collection;
  const keysOf = (collection: HoppCollection, hints: Parameters<typeof normaliseCollection>[1]) =>
    Object.keys(normaliseCollection(collection, hints).requests);

  it('takes every id when nothing is known, none that is not rendered or stored otherwise', () => {
    expect(keysOf(local(request('foo')), {})).toEqual(['foo']);
    expect(keysOf(local(request('foo'), request('listPets')), { rendered: operationHints(search) })).toEqual(['user:foo', 'listPets']);
    expect(keysOf(local(request('foo')), { stored: record('foo') })).toEqual(['foo']);
    expect(keysOf(local(request('foo')), { stored: record('bar') })).toEqual(['user:foo']);
    expect(keysOf(local(request('foo')), { stored: record('bar'), trustIds: true })).toEqual(['foo']);
    expect(keysOf(local(request('x-user:y')), { stored: record('bar') })).toEqual(['user:x-user:y']);
    // A user request keeps its own id among its fields; an identity-keyed one has it as its key only.
    expect(normaliseCollection(local(request('foo')), { stored: record('bar') }).requests['user:foo']?.request.id).toBe('foo');
    expect(normaliseCollection(local(request('foo')), {}).requests.foo?.request).not.toHaveProperty('id');
  });

  it('reports operations that two requests could equally be, to onAmbiguity when given', () => {
    const twin = () => {
      const r = request('x', '<<baseUrl>>/pets') as Partial<HoppRequest>;
      delete r.id;
      return r as HoppRequest;
    };
    const seen: unknown[] = [];
    const keys = keysOf(local(twin(), twin()), { rendered: operationHints(search), onAmbiguity: (a) => seen.push(a) });
    expect(keys).toEqual(['user:GET /pets R', 'user:GET /pets R#2']);
    expect(seen).toEqual([
      {
        key: 'listPets',
        requests: [
          { path: '/requests/0', name: 'R' },
          { path: '/requests/1', name: 'R' },
        ],
      },
    ]);
    expect(keysOf(local(twin(), twin()), { rendered: operationHints(search) })).toEqual(keys);
  });

  it('does not take a stored id that an operation outgrew (written before queries were kept): the operation is matched instead', () => {
    const hints = { rendered: operationHints(search), stored: record('GET /search', 'GET /search#2') };
    expect(keysOf(local(request('GET /search', '<<baseUrl>>/search?kind=pets')), hints)).toEqual(['GET /search?kind=pets']);
    expect(keysOf(local(request('GET /search#2', '<<baseUrl>>/search?kind=pets')), hints)).toEqual(['GET /search?kind=pets']);
    const repeat = { rendered: operationHints(search), stored: record('GET /search#12') };
    expect(keysOf(local(request('GET /search#12', '<<baseUrl>>/search?kind=pets')), repeat)).toEqual(['GET /search?kind=pets']);
  });

  it('reads a version 1 record as paths without query: with another name that is not enough', () => {
    const stored = (v: 1 | 2): HoppIdentityRecord => ({
      v,
      folders: [],
      requests: [{ path: '/requests/5', key: 'addPet', name: 'Create', endpoint: 'POST /animals' }],
    });
    const mine = { ...request('x', '<<baseUrl>>/animals'), name: 'Mine', method: 'POST' } as Partial<HoppRequest>;
    delete mine.id;
    expect(keysOf(local(mine as HoppRequest), { stored: stored(2) })).toEqual(['addPet']);
    expect(keysOf(local(mine as HoppRequest), { stored: stored(1) })).toEqual(['user:POST /animals Mine']);
  });
});

describe('denormaliseCollection on hand-made input', () => {
  const folder = (name: string, parent: string | null, v: unknown = 12): NormalisedCollection['folders'][string] => ({
    parent,
    folder: { v, name, auth: { authType: 'inherit', authActive: true }, headers: [] },
  });
  const request = (folderKey: string | null, fields: Record<string, unknown>) => ({
    folder: folderKey,
    request: { v: '16', name: 'r', method: 'GET', endpoint: '/', ...fields },
  });
  const input = (parts: Partial<NormalisedCollection>): NormalisedCollection => ({
    collection: { v: 12, name: 'C' },
    folders: {},
    requests: {},
    folderOrder: {},
    requestOrder: {},
    ...parts,
  });

  it('puts a folder whose parent is missing at the root, and keeps one whose parent is there under it', () => {
    const { collection, record } = denormaliseCollection(input({ folders: { a: folder('A', 'gone'), b: folder('B', 'a') } }));
    expect(collection.folders.map((f) => [f.name, f.folders.map((g) => g.name)])).toEqual([['A', ['B']]]);
    expect(record.folders).toEqual([
      { path: '/folders/0', key: 'a', name: 'A' },
      { path: '/folders/0/folders/0', key: 'b', name: 'B' },
    ]);
  });

  it('writes a folder of an unknown version as v12, scripts kept', () => {
    const unknown = folder('A', null, 13);
    unknown.folder = { ...unknown.folder, preRequestScript: 'pre', testScript: 'test' };
    const { collection } = denormaliseCollection(input({ folders: { a: unknown, b: folder('B', null, 11) } }));
    const scripts = (f: HoppCollection) => f as HoppCollection & { preRequestScript?: string; testScript?: string };
    expect(collection.folders.map((f) => [f.v, scripts(f).preRequestScript, scripts(f).testScript])).toEqual([
      [12, 'pre', 'test'],
      [11, undefined, undefined],
    ]);
  });

  it('records identity-keyed requests with the method in capitals and the endpoint signature', () => {
    const { collection, record } = denormaliseCollection(
      input({ requests: { listPets: request(null, { name: 'List', method: 'get', endpoint: '<<baseUrl>>/pets/<<petId>>?q=<<q>>' }) } }),
    );
    expect(record.requests).toEqual([{ path: '/requests/0', key: 'listPets', name: 'List', endpoint: 'GET /pets/{petId}?q={q}' }]);
    expect(collection.requests[0]?.id).toBe('listPets');
  });

  it('records a folder without a name and a request without name, method or endpoint with empty strings', () => {
    const nameless = folder('A', null);
    delete nameless.folder.name;
    const { record } = denormaliseCollection(input({ folders: { a: nameless }, requests: { op: { folder: 'a', request: { v: '16' } } } }));
    expect(record.folders).toEqual([{ path: '/folders/0', key: 'a', name: '' }]);
    expect(record.requests).toEqual([{ path: '/folders/0/requests/0', key: 'op', name: '', endpoint: ' /' }]);
  });

  it('drops the id of a user request only where it is the key of another request', () => {
    const requests = {
      listPets: request(null, { name: 'List' }),
      'user:copy': request(null, { name: 'Copy', id: 'listPets' }),
      'user:own': request(null, { name: 'Own', id: 'my-own-id' }),
      'user:prefixed': request(null, { name: 'Prefixed', id: 'user:copy' }),
    };
    const { collection } = denormaliseCollection(input({ requests }));
    expect(collection.requests.map((r) => [r.name, r.id])).toEqual([
      ['List', 'listPets'],
      ['Copy', undefined],
      ['Own', 'my-own-id'],
      ['Prefixed', 'user:copy'],
    ]);
    expect('id' in (collection.requests[1] as object)).toBe(false);
  });
});

describe('reconcileCollection', () => {
  it('is pure, keeps removed requests marked under deprecate, and restores their folder and place', () => {
    const target = hoppscotchTarget({ path: join(tmpdir(), 'never-written.json') });
    const base = deepFreeze(target.render(document, context()) as NormalisedCollection);
    const remoteDocument = structuredClone(document) as { paths: Record<string, unknown> };
    delete remoteDocument.paths['/store'];
    delete (remoteDocument.paths['/pets'] as Record<string, unknown>).post;
    const remote = deepFreeze(target.render(remoteDocument, context()) as NormalisedCollection);
    // What the merge gives for an untouched local: the removed requests and the empty folder gone.
    const merged = deepFreeze({ ...remote });
    const out = reconcileCollection(merged, { base, local: base, remote, removal: 'deprecate' });
    expect(out.requests.createPet?.request.name).toBe('[deprecated] Add a pet');
    expect(out.requests.getStore?.request.name).toBe('[deprecated] getStore');
    expect(out.folders.store).toEqual(base.folders.store);
    expect(denormaliseCollection(out).collection.folders.map((f) => [f.name, f.requests.map((r) => r.id)])).toEqual([
      ['pets', ['listPets', 'createPet', 'GET /pets/{}']],
      ['store', ['getStore']],
    ]);
    expect(reconcileCollection(merged, { base, local: base, remote, removal: 'remove' }).requests.createPet).toBeUndefined();
    expect(reconcileCollection(merged, { base, local: base, remote, removal: 'keep' }).requests.createPet).toEqual(base.requests.createPet);
  });
});

describe('prepareCollectionMerge', () => {
  const base = deepFreeze(normaliseCollection(rendered(), { trustIds: true }));
  const grown = structuredClone(document) as { paths: Record<string, Record<string, unknown>> };
  grown.paths['/toys'] = { get: { operationId: 'listToys', summary: 'Toys', responses: { '200': { description: 'ok' } } } };
  const remote = deepFreeze(normaliseCollection(renderCollection(grown).collection, { trustIds: true }));
  const { listPets: _gone, ...requests } = base.requests;
  const local = deepFreeze({ ...base, requests });
  const tie = (key: string) => ({
    key,
    requests: [
      { path: '/folders/0/requests/0', name: 'Mine' },
      { path: '/folders/0/requests/1', name: 'Mine' },
    ],
  });

  it('turns a tie into an ambiguous-identity conflict where the merge leaves nothing, and changes no input', () => {
    const prepared = prepareCollectionMerge({ base, local, remote }, undefined, [tie('listPets')]);
    expect(prepared.base).toBeUndefined();
    expect(prepared.conflicts).toEqual([
      expect.objectContaining({
        path: '/requests/listPets',
        kind: 'ambiguous-identity',
        base: base.requests.listPets,
        local: undefined,
        remote: remote.requests.listPets,
      }),
    ]);
    expect(prepared.conflicts?.[0]?.note).toContain('"Mine" at /folders/0/requests/0, "Mine" at /folders/0/requests/1');
  });

  it('merges an operation new upstream as one the local copy left out, so that only taking remote adds it', () => {
    const prepared = prepareCollectionMerge({ base, local, remote }, undefined, [tie('listToys')]);
    expect(prepared.base?.requests.listToys).toBe(remote.requests.listToys);
    expect(base.requests.listToys).toBeUndefined();
    expect(prepared.conflicts?.map((c) => [c.path, c.base])).toEqual([['/requests/listToys', undefined]]);
    // Nothing to report where there is no base, or where local holds the operation after all.
    expect(prepareCollectionMerge({ base: undefined, local, remote }, undefined, [tie('listToys')])).toEqual({});
    expect(prepareCollectionMerge({ base, local, remote }, undefined, [tie('createPet')])).toEqual({});
  });
});

describe('hoppscotchTarget read and write', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'als-hopp-target-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes atomically with the identity record, and reads a missing file as undefined', async () => {
    const file = join(dir, 'a.json');
    const records = memoryRecords();
    const target = hoppscotchTarget({ path: file });
    expect(await target.read(context(records))).toBeUndefined();
    const local = target.render(document, context(records)) as NormalisedCollection;
    await target.write(local, context(records));
    const record = records.data.get('hoppscotch-identities') as HoppIdentityRecord;
    expect(record.requests.map((r) => r.key)).toEqual(['listPets', 'createPet', 'GET /pets/{}', 'getStore', 'health']);
    expect(record.folders).toEqual([
      { path: '/folders/0', key: 'pets', name: 'pets' },
      { path: '/folders/1', key: 'store', name: 'store' },
    ]);
    expect(await target.read(context(records))).toEqual(local);
    // An "export all" file holding just this collection reads the same.
    await writeFile(file, JSON.stringify([JSON.parse(await readFile(file, 'utf8'))]));
    expect(await target.read(context(records))).toEqual(local);
  });

  it('remembers its render of each document object: the same frozen collection again, a fresh render for another object', () => {
    const target = hoppscotchTarget({ path: join(dir, 'cache.json') });
    const first = target.render(document, context()) as NormalisedCollection;
    expect(target.render(document, context())).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.requests.listPets?.request)).toBe(true);
    const copy = structuredClone(document);
    const again = target.render(copy, context()) as NormalisedCollection;
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    // Another target keeps its own memory.
    expect(hoppscotchTarget({ path: join(dir, 'cache.json') }).render(document, context())).not.toBe(first);
  });

  it('handles a tag and an operationId named __proto__ as plain keys', async () => {
    const file = join(dir, 'proto.json');
    const records = memoryRecords();
    const target = hoppscotchTarget({ path: file });
    const odd = {
      openapi: '3.0.3',
      info: { title: 'Odd', version: '1' },
      paths: { '/x': { get: { tags: ['__proto__'], operationId: '__proto__', summary: 'X', responses: {} } } },
    };
    const local = target.render(odd, context(records)) as NormalisedCollection;
    expect(Object.keys(local.folders)).toEqual(['__proto__#2']);
    expect(Object.keys(local.requests)).toEqual(['__proto__#1']);
    await target.write(local, context(records));
    const written = JSON.parse(await readFile(file, 'utf8')) as HoppCollection;
    expect(written.folders.map((f) => [f.name, f.requests.map((r) => r.name)])).toEqual([['__proto__', ['X']]]);
    target.render(odd, context(records));
    expect(await target.read(context(records))).toEqual(local);
  });

  it('handles folders and operations named like Object.prototype members through a sync with a removal', async () => {
    const file = join(dir, 'object-names.json');
    const records = memoryRecords();
    const target = hoppscotchTarget({ path: file });
    const named = (ops: string[]) => ({
      openapi: '3.0.3',
      info: { title: 'Odd', version: '1' },
      paths: Object.fromEntries(
        ops.map((op) => [
          `/${op}`,
          { get: { tags: [op === 'hasOwnProperty' ? 'toString' : 'constructor'], operationId: op, summary: op, responses: {} } },
        ]),
      ),
    });
    const base = target.render(named(['hasOwnProperty', 'valueOf']), context(records)) as NormalisedCollection;
    expect(Object.keys(base.folders)).toEqual(['toString', 'constructor']);
    await target.write(base, context(records));
    const remote = target.render(named(['hasOwnProperty']), context(records)) as NormalisedCollection;
    const local = (await target.read(context(records))) as NormalisedCollection;
    expect(local).toEqual(base);
    // The merge drops the folder "constructor" with its request; deprecate keeps both.
    const out = reconcileCollection(remote, { base, local, remote, removal: 'deprecate' });
    const { collection } = denormaliseCollection(out);
    expect(collection.folders.map((f) => [f.name, f.requests.map((r) => r.name)])).toEqual([
      ['toString', ['hasOwnProperty']],
      ['constructor', ['[deprecated] valueOf']],
    ]);
  });

  it('reads its own last write from memory while the bytes are unchanged, and parses any other bytes', async () => {
    const file = join(dir, 'c.json');
    const records = memoryRecords();
    const target = hoppscotchTarget({ path: file });
    const local = target.render(document, context(records)) as NormalisedCollection;
    await target.write(local, context(records));
    const fresh = async () => hoppscotchTarget({ path: file }).read(context(records));
    // Unchanged since the write: the parsed form kept in memory (frozen), equal to a fresh parse of the file.
    const remembered = (await target.read(context(records))) as NormalisedCollection;
    expect(remembered).toStrictEqual(await fresh());
    expect(remembered).toEqual(local);
    expect(Object.isFrozen(remembered.requests.listPets?.request.headers)).toBe(true);
    // Changed bytes of the same length: parsed again.
    const text = await readFile(file, 'utf8');
    const edited = text.replace('"List pets"', '"List Pets"');
    expect(edited.length).toBe(text.length);
    await writeFile(file, edited);
    const reread = (await target.read(context(records))) as NormalisedCollection;
    expect(reread.requests.listPets?.request.name).toBe('List Pets');
    expect(Object.isFrozen(reread.requests.listPets?.request.headers)).toBe(false);
    expect(reread).toStrictEqual(await fresh());
    // The same bytes written back by someone else: the remembered form again, still equal to a parse.
    await writeFile(file, text);
    expect(await target.read(context(records))).toStrictEqual(await fresh());
  });

  it('remembers what the file says when the written value holds what JSON drops or changes', async () => {
    const file = join(dir, 'd.json');
    const records = memoryRecords();
    const target = hoppscotchTarget({ path: file });
    const local = target.render(document, context(records)) as NormalisedCollection;
    // A resolver may hand back such values: `undefined` is left out of the file, a Date becomes its ISO text, -0 is 0.
    const listPets = local.requests.listPets as NormalisedRequest;
    const odd: NormalisedCollection = {
      ...local,
      requests: {
        ...local.requests,
        listPets: { ...listPets, request: { ...listPets.request, description: undefined, 'x-when': new Date(0), 'x-zero': -0 } },
      },
    };
    await target.write(odd, context(records));
    const remembered = await target.read(context(records));
    const fresh = await hoppscotchTarget({ path: file }).read(context(records));
    expect(remembered).toStrictEqual(fresh);
    const request = (remembered as NormalisedCollection).requests.listPets?.request as Record<string, unknown>;
    expect(request['x-when']).toBe('1970-01-01T00:00:00.000Z');
    expect(Object.is(request['x-zero'], 0)).toBe(true);
  });

  it('refuses to write a collection that does not validate, leaving the file and the record alone', async () => {
    const file = join(dir, 'b.json');
    const records = memoryRecords();
    const target = hoppscotchTarget({ path: file });
    const local = target.render(document, context(records)) as NormalisedCollection;
    const bad: NormalisedCollection = {
      ...local,
      requests: {
        ...local.requests,
        listPets: { ...local.requests.listPets!, request: { ...local.requests.listPets!.request, auth: { authType: 'magic' } } },
      },
    };
    await expect(target.write(bad, context(records))).rejects.toMatchObject({
      code: 'TARGET_INVALID',
      message: expect.stringContaining('folders[0].requests[0].auth.authType'),
    });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(records.data.size).toBe(0);
  });
});

describe('hoppscotchTargetIdentityRules', () => {
  const ruleFor = (pointer: string) => hoppscotchTargetIdentityRules.find((rule) => matchPointerPattern(rule.path, pointer));

  it('merges the order lists as sets of keys', () => {
    for (const pointer of ['/folderOrder/__root__', '/requestOrder/f1']) {
      const rule = ruleFor(pointer);
      expect(rule?.set).toBe(true);
      expect([rule?.key('k1'), rule?.key(1), rule?.key(null)]).toEqual(['k1', undefined, undefined]);
    }
  });

  it('keys headers by lower-cased key, params, request variables, variables and form fields by key as written', () => {
    const headers = ruleFor('/requests/r1/headers');
    expect([headers?.key({ key: 'X-Trace' }), headers?.key({ key: 'x-trace' })]).toEqual(['x-trace', 'x-trace']);
    for (const pointer of [
      '/requests/r1/params',
      '/requests/r1/requestVariables',
      '/variables',
      '/folders/f1/variables',
      '/requests/r1/body/body',
    ]) {
      const rule = ruleFor(pointer);
      expect(rule?.set).toBeUndefined();
      expect(rule?.key({ key: 'Limit' })).toBe('Limit');
    }
    for (const rule of [headers, ruleFor('/requests/r1/params')]) {
      expect([rule?.key(null), rule?.key('X-Trace'), rule?.key({}), rule?.key({ key: 1 })]).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    }
  });
});
