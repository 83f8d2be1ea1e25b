/**
 * The Hoppscotch target through a real SyncEngine when the collection lost
 * its request ids (issue 12, item 1), when a route removed upstream comes back
 * (item 4), and when a collection written before issue 12 is synced again.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore, SyncEngine, type RemovalPolicy } from '../../src/index.js';
import { hoppscotchTarget, type HoppCollection, type HoppRequest } from '../../src/targets/hoppscotch/index.js';
import { MemorySource, MemoryStore } from '../../src/testing/index.js';

type Json = Record<string, any>;

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'als-hopp-identity-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function readJson(file: string): Promise<HoppCollection> {
  return JSON.parse(await readFile(file, 'utf8')) as HoppCollection;
}

function walk(collection: HoppCollection): HoppRequest[] {
  const out: HoppRequest[] = [];
  const visit = (node: HoppCollection) => {
    node.folders.forEach(visit);
    out.push(...node.requests);
  };
  visit(collection);
  return out;
}

/** What an export that lost the ids gives back. */
function stripIds(collection: HoppCollection): void {
  for (const request of walk(collection)) delete (request as Partial<HoppRequest>).id;
}

async function setup(document: Json, policy: { removal?: RemovalPolicy } = {}) {
  const dir = join(root, `case-${++counter}`);
  await mkdir(dir);
  const file = join(dir, 'api.hoppscotch.json');
  const engine = new SyncEngine({ store: new MemoryStore() });
  const source = new MemorySource(document);
  await engine.addSource({
    id: 'api',
    source,
    target: hoppscotchTarget({ path: file }),
    intervalMs: 0,
    policy: { removal: 'deprecate', ...policy },
  });
  expect(await engine.syncNow('api')).toMatchObject({ outcome: 'applied', written: true });
  const edit = async (change: (collection: HoppCollection) => void) => {
    const collection = await readJson(file);
    change(collection);
    await writeFile(file, JSON.stringify(collection, null, 2));
  };
  return { file, engine, source, edit };
}

// ---------------------------------------------------------------- AWS style

const LAKE_OPERATIONS = [
  'AddLFTagsToResource',
  'BatchGrantPermissions',
  'BatchRevokePermissions',
  'CreateDataCellsFilter',
  'CreateLFTag',
  'DeleteDataCellsFilter',
  'DeleteLFTag',
  'DeregisterResource',
  'DescribeResource',
  'GetDataLakeSettings',
  'GetLFTag',
  'GrantPermissions',
  'ListPermissions',
  'RegisterResource',
  'RevokePermissions',
];

/** An AWS JSON-protocol API: every operation is `POST /`, told apart only by `#X-Amz-Target=…`. */
function lakeFormation(operations: readonly string[], changedBody?: string): Json {
  const paths: Json = {};
  for (const name of operations) {
    const properties: Json = { CatalogId: { type: 'string', example: '123456789012' } };
    if (name === changedBody) properties.Tags = { type: 'array', items: { type: 'string' }, example: ['team'] };
    paths[`/#X-Amz-Target=AWSLakeFormation.${name}`] = {
      post: {
        operationId: name,
        description: `The ${name} action.`,
        parameters: [
          { name: 'X-Amz-Target', in: 'header', required: true, schema: { type: 'string', enum: [`AWSLakeFormation.${name}`] } },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties } } } },
        responses: { '200': { description: 'Success' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'AWS Lake Formation', version: '2017-03-31' },
    servers: [{ url: 'http://127.0.0.1:9' }],
    paths,
  };
}

describe('ids lost, AWS style: operations told apart only by a fragment', () => {
  it('keeps every identity through a user deletion and a release that renames and removes endpoints', async () => {
    const { file, engine, source, edit } = await setup(lakeFormation(LAKE_OPERATIONS));
    await edit((c) => {
      stripIds(c);
      c.requests = c.requests.filter((r) => r.name !== 'BatchGrantPermissions');
      c.requests.find((r) => r.name === 'GrantPermissions')!.testScript = 'pw.test("ok", () => pw.expect(pw.response.status).toBe(200));';
    });
    // The next release: GetLFTag renamed to GetLFTagV2, DeregisterResource removed, CreateLFTag's body grew.
    const next = LAKE_OPERATIONS.filter((n) => n !== 'GetLFTag' && n !== 'DeregisterResource').concat(['GetLFTagV2']);
    source.set(lakeFormation(next, 'CreateLFTag'));
    const result = await engine.syncNow('api');
    expect(result.conflicts).toEqual([]);
    const after = await readJson(file);
    const byId = new Map(walk(after).map((r) => [r.id, r]));
    // Every request carries its own identity again, and its name is its operation's.
    for (const request of walk(after)) expect(request.name.replace('[deprecated] ', '')).toBe(request.id);
    expect([...byId.keys()].sort()).toEqual(
      LAKE_OPERATIONS.filter((n) => n !== 'BatchGrantPermissions')
        .concat(['GetLFTagV2'])
        .sort(),
    );
    // The user's deletion stays; the removed endpoints are marked; the new one arrived; the change arrived.
    expect(byId.get('GetLFTag')?.name).toBe('[deprecated] GetLFTag');
    expect(byId.get('DeregisterResource')?.name).toBe('[deprecated] DeregisterResource');
    expect(byId.get('GetLFTagV2')?.endpoint).toBe('<<baseUrl>>/#X-Amz-Target=AWSLakeFormation.GetLFTagV2');
    expect(JSON.parse(byId.get('CreateLFTag')!.body.body as string)).toEqual({ CatalogId: '123456789012', Tags: ['team'] });
    expect(byId.get('GrantPermissions')?.testScript).toContain('pw.test("ok"');
    for (const request of walk(after)) expect(request.endpoint).toBe(`<<baseUrl>>/#X-Amz-Target=AWSLakeFormation.${request.id}`);
  });
});

// ---------------------------------------------------------------- Google style

function logging(withUpdateMask: boolean): Json {
  const get = (operationId: string, variable: string, summary: string): Json => ({
    operationId,
    summary,
    tags: ['v2'],
    parameters: [
      { name: variable, in: 'path', required: true, schema: { type: 'string' } },
      ...(withUpdateMask && operationId === 'logging.exclusions.get'
        ? [{ name: 'updateMask', in: 'query', schema: { type: 'string' }, example: 'filter' }]
        : []),
    ],
    responses: { '200': { description: 'ok' } },
  });
  return {
    openapi: '3.0.0',
    info: { title: 'Cloud Logging', version: 'v2' },
    servers: [{ url: 'http://127.0.0.1:9' }],
    paths: {
      '/v2/entries:list': {
        post: {
          operationId: 'logging.entries.list',
          summary: 'Lists log entries.',
          tags: ['v2'],
          responses: { '200': { description: 'ok' } },
        },
      },
      '/v2/{sinkName}': { get: get('logging.sinks.get', 'sinkName', 'Gets a sink.') },
      '/v2/{name}': { get: get('logging.exclusions.get', 'name', 'Gets an exclusion.') },
    },
  };
}

describe('ids lost, Google style: two operations on the same path shape', () => {
  it('an upstream parameter reaches the right request, with no false conflict', async () => {
    const { file, engine, source, edit } = await setup(logging(false));
    await edit((c) => {
      stripIds(c);
      // The user deleted an unrelated request before them, so nothing is where it was written.
      c.folders[0]!.requests = c.folders[0]!.requests.filter((r) => r.name !== 'Lists log entries.');
    });
    source.set(logging(true));
    const result = await engine.syncNow('api');
    expect(result.conflicts).toEqual([]);
    const after = await readJson(file);
    expect(walk(after).map((r) => [r.id, r.name])).toEqual([
      ['logging.sinks.get', 'Gets a sink.'],
      ['logging.exclusions.get', 'Gets an exclusion.'],
    ]);
    expect(walk(after)[1]!.params.map((p) => p.key)).toEqual(['updateMask']);
    expect(walk(after)[0]!.params).toEqual([]);
  });
});

// ---------------------------------------------------------------- ambiguous

function items(withFilter: boolean): Json {
  const get = (summary: string, filter: boolean): Json => ({
    summary,
    parameters: [
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      ...(filter ? [{ name: 'filter', in: 'query', schema: { type: 'string' }, example: 'x' }] : []),
    ],
    responses: { '200': { description: 'ok' } },
  });
  return {
    openapi: '3.0.3',
    info: { title: 'Items', version: withFilter ? '2' : '1' },
    servers: [{ url: 'http://127.0.0.1:9' }],
    paths: { '/items/{id}': { get: get('Item', false) }, '/items/{id}/': { get: get('Item (slash)', withFilter) } },
  };
}

describe('ids lost and nothing tells two requests apart', () => {
  it('is reported as ambiguous-identity conflicts, decided like any other, and nothing is guessed', async () => {
    const { file, engine, source, edit } = await setup(items(false));
    await edit((c) => {
      stripIds(c);
      c.requests.reverse();
      for (const r of c.requests) r.name = 'My item';
    });
    const before = await readJson(file);
    const detected: unknown[] = [];
    engine.on('conflict:detected', (event) => {
      detected.push(...event.conflicts);
    });
    source.set(items(true));
    const result = await engine.syncNow('api');
    expect(result.conflicts.map((c) => [c.path, c.kind])).toEqual([
      ['/requests/GET ~1items~1{}', 'ambiguous-identity'],
      ['/requests/GET ~1items~1{}#2', 'ambiguous-identity'],
    ]);
    expect(result.conflicts[0]?.note).toContain('"My item" at /requests/0, "My item" at /requests/1');
    expect(detected).toHaveLength(2);
    expect(result.decisions.map((d) => d.take)).toEqual(['local', 'local']);
    // Kept as the user's own: neither took an identity, nothing was added or changed.
    expect(await readJson(file)).toEqual(before);
  });
});

// ---------------------------------------------------------------- removed, then back

function petstore(withDelete: boolean): Json {
  const paths: Json = {
    '/pets': { get: { operationId: 'listPets', summary: 'List pets', tags: ['pets'], responses: { '200': { description: 'ok' } } } },
    '/pets/{petId}': {
      get: {
        operationId: 'getPet',
        summary: 'Get a pet',
        tags: ['pets'],
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' }, example: '1' }],
        responses: { '200': { description: 'ok' } },
      },
    },
  };
  if (withDelete) {
    paths['/pets/{petId}'].delete = {
      operationId: 'deletePet',
      summary: 'Delete a pet',
      description: 'Deletes one pet.',
      tags: ['pets'],
      parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' }, example: '1' }],
      responses: { '204': { description: 'Deleted' } },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Petstore', version: '1' },
    servers: [{ url: 'http://127.0.0.1:9' }],
    tags: [{ name: 'pets' }],
    paths,
  };
}

describe('a route removed upstream and restored', () => {
  it('merges against what the engine wrote: no conflicts, upstream name and description back, the edit made while marked kept', async () => {
    const { file, engine, source, edit } = await setup(petstore(true), { removal: 'deprecate' });
    const decisions: unknown[] = [];
    engine.on('conflict:resolved', (event) => {
      decisions.push(...event.decisions);
    });
    // Twice: the second time with an edit the user made while the request was marked.
    for (const swap of [1, 2]) {
      source.set({ ...petstore(false), info: { title: 'Petstore', version: `${swap}.1` } });
      expect(await engine.syncNow('api')).toMatchObject({ outcome: 'applied', conflicts: [] });
      const marked = walk(await readJson(file)).find((r) => r.id === 'deletePet')!;
      expect(marked.name).toBe('[deprecated] Delete a pet');
      if (swap === 2) {
        await edit((c) => {
          walk(c).find((r) => r.id === 'deletePet')!.testScript = 'pw.test("gone", () => {});';
        });
      }
      source.set({ ...petstore(true), info: { title: 'Petstore', version: `${swap}.2` } });
      const back = await engine.syncNow('api');
      expect(back.conflicts).toEqual([]);
      const restored = walk(await readJson(file)).find((r) => r.id === 'deletePet')!;
      expect([restored.name, restored.description]).toEqual(['Delete a pet', 'Deletes one pet.']);
      expect(restored.testScript).toBe(swap === 2 ? 'pw.test("gone", () => {});' : '');
    }
    // Nobody decided anything: the journal holds no decisions.
    expect(decisions).toEqual([]);
    const journal = await engine.getJournal('api');
    expect(journal.flatMap((entry) => entry.decisions)).toEqual([]);
  });

  it('a user rename made while marked stays, and upstream description still comes back', async () => {
    const { file, engine, source, edit } = await setup(petstore(true));
    source.set(petstore(false));
    await engine.syncNow('api');
    await edit((c) => {
      walk(c).find((r) => r.id === 'deletePet')!.name = 'Remove my pet';
    });
    source.set({ ...petstore(true), info: { title: 'Petstore', version: '2' } });
    expect((await engine.syncNow('api')).conflicts).toEqual([]);
    const restored = walk(await readJson(file)).find((r) => r.id === 'deletePet')!;
    expect([restored.name, restored.description]).toEqual(['Remove my pet', 'Deletes one pet.']);
  });
});

// ---------------------------------------------------------------- upgrade

describe('a collection written before issue 12 (fragment and query left out of identities)', () => {
  it('syncs again without losing, doubling or mixing up requests', async () => {
    // fixtures/upgrade-from-v1: what the code of commit 26c4496 wrote (see its README.md).
    const dir = join(root, `upgrade-${++counter}`);
    await cp(join(import.meta.dirname, '../targets/hoppscotch/fixtures/upgrade-from-v1'), dir, { recursive: true });
    // The fixture's MemorySource validators (etag "1") would make a new MemorySource's first answer a 304.
    await rm(join(dir, 'store/queue/validators.json'));
    const file = join(dir, 'queue.hoppscotch.json');
    const written = await readJson(file);
    expect(walk(written).map((r) => r.id)).toEqual(['POST /', 'POST /#2', 'POST /#3', 'GET /', 'GET /#2', 'health']);
    // The user edits the second and fourth request, and deletes the third.
    const edited = structuredClone(written);
    edited.requests[1]!.testScript = 'pw.test("delete", () => {});';
    edited.requests[3]!.name = 'Purge the queue';
    edited.requests.splice(2, 1);
    await writeFile(file, JSON.stringify(edited, null, 2));
    const spec = JSON.parse(await readFile(join(dir, 'spec.json'), 'utf8')) as Json;
    spec.info.version = '2024-02-01';
    spec.paths['/#X-Amz-Target=Queue.DeleteQueue'].post.description = 'Deletes a queue.';
    spec.paths['/?Action=Purge'].get.parameters = [{ name: 'force', in: 'query', schema: { type: 'boolean' }, example: true }];
    const engine = new SyncEngine({ store: new FileStore({ dir: join(dir, 'store') }) });
    await engine.addSource({ id: 'queue', source: new MemorySource(spec), target: hoppscotchTarget({ path: file }), intervalMs: 0 });
    const result = await engine.syncNow('queue');
    expect(result.conflicts).toEqual([]);
    const after = await readJson(file);
    expect(walk(after).map((r) => [r.id, r.name, r.endpoint])).toEqual([
      ['POST /#X-Amz-Target=Queue.CreateQueue', 'Untitled Request', '<<baseUrl>>/#X-Amz-Target=Queue.CreateQueue'],
      ['POST /#X-Amz-Target=Queue.DeleteQueue', 'Untitled Request', '<<baseUrl>>/#X-Amz-Target=Queue.DeleteQueue'],
      ['GET /?Action=Purge', 'Purge the queue', '<<baseUrl>>/?Action=Purge'],
      ['GET /?Action=Peek', 'Untitled Request', '<<baseUrl>>/?Action=Peek'],
      ['health', 'Health', '<<baseUrl>>/health'],
    ]);
    expect(after.requests[1]!.testScript).toBe('pw.test("delete", () => {});');
    expect(after.requests[1]!.description).toBe('Deletes a queue.');
    expect(after.requests[2]!.params.map((p) => [p.key, p.value])).toEqual([['force', 'true']]);
    // Stable: the next sync of the same API changes nothing.
    const text = await readFile(file, 'utf8');
    const again = structuredClone(spec);
    again.info.version = '2024-02-02';
    await engine.removeSource('queue');
    await engine.addSource({ id: 'queue', source: new MemorySource(again), target: hoppscotchTarget({ path: file }), intervalMs: 0 });
    expect(await engine.syncNow('queue')).toMatchObject({ conflicts: [], written: false });
    expect(await readFile(file, 'utf8')).toBe(text);
  });
});
