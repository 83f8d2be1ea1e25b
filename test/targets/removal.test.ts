/**
 * The removal policy on OpenAPI file targets (JSON and YAML), through the
 * real engine and real files: an operation removed upstream is removed,
 * deprecated or kept as the policy says, decided per operation (a path item
 * whose every method upstream removed keeps only the methods the user
 * edited under `remove`), and comes back unmarked when upstream restores it.
 * And on every target: what lasting decisions take out is not a removal.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SyncEngine, removedUpstream, openApiFileTarget, type RemovalPolicy } from '../../src/index.js';
import { OPENAPI_REMOVED_KEY, allRequests } from '../../src/targets/index.js';
import { hoppscotchTarget, readCollectionFile } from '../../src/targets/hoppscotch/public.js';
import { ManualClock, MemorySource, MemoryTarget } from '../../src/testing/index.js';

type Json = Record<string, unknown>;

const op = (operationId: string, summary: string): Json => ({ operationId, summary, responses: { '200': { description: 'ok' } } });

/** Eleven operations; `/pets/{id}` has four methods, one of them deprecated upstream. */
function v1(): Json {
  return {
    openapi: '3.0.3',
    info: { title: 'Pets', version: '1.0.0' },
    paths: {
      '/pets': { get: op('listPets', 'List pets'), post: op('createPet', 'Create a pet') },
      '/pets/{id}': {
        summary: 'One pet',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        get: op('showPet', 'Show one pet'),
        put: op('replacePet', 'Replace a pet'),
        patch: op('updatePet', 'Update a pet'),
        delete: { ...op('deletePet', 'Delete a pet'), deprecated: true },
      },
      '/stores': { get: op('listStores', 'List stores') },
      '/owners': { get: op('listOwners', 'List owners') },
      '/toys': { get: op('listToys', 'List toys') },
      '/vets': { get: op('listVets', 'List vets') },
      '/health': { get: op('health', 'Health') },
    },
  };
}

/** Upstream drops `POST /pets` and all four methods of `/pets/{id}` (5 of 11: under the mass-removal rail). */
function v2(): Json {
  const doc = v1();
  const paths = doc.paths as Record<string, Json>;
  paths['/pets'] = { get: paths['/pets']!.get };
  delete paths['/pets/{id}'];
  return doc;
}

/** v1 with the user's edit: a new summary of `GET /pets/{id}`. */
function v1Edited(): Json {
  const doc = v1();
  ((doc.paths as Record<string, Json>)['/pets/{id}']!.get as Json).summary = 'Show one pet and its owner';
  return doc;
}

const T1 = Date.UTC(2026, 0, 1);
const T2 = Date.UTC(2026, 1, 2, 3, 4, 5);
const T3 = Date.UTC(2026, 2, 3);

const marked = (operation: Json, policy: 'remove' | 'deprecate', setDeprecated: boolean): Json => ({
  ...operation,
  deprecated: true,
  [OPENAPI_REMOVED_KEY]: { at: new Date(T2).toISOString(), policy, ...(setDeprecated ? { setDeprecated: true } : {}) },
});

/** The file after upstream removed the operations, per policy. */
function expectedAfterRemoval(policy: RemovalPolicy): Json {
  const edited = v1Edited();
  if (policy === 'keep') return edited;
  const doc = v2();
  const paths = doc.paths as Record<string, Json>;
  const pet = (edited.paths as Record<string, Json>)['/pets/{id}']!;
  if (policy === 'remove') {
    paths['/pets/{id}'] = { summary: pet.summary, parameters: pet.parameters, get: marked(pet.get as Json, 'remove', true) };
    return doc;
  }
  paths['/pets']!.post = marked((v1().paths as Record<string, Json>)['/pets']!.post as Json, 'deprecate', true);
  paths['/pets/{id}'] = {
    summary: pet.summary,
    parameters: pet.parameters,
    get: marked(pet.get as Json, 'deprecate', true),
    put: marked(pet.put as Json, 'deprecate', true),
    patch: marked(pet.patch as Json, 'deprecate', true),
    delete: marked(pet.delete as Json, 'deprecate', false),
  };
  return doc;
}

const YAML_COMMENTS = ['# Pets API, kept next to the service', '# reviewed by the docs team', '# the stores are next quarter'];

/** The user's edit of the file the first sync wrote: the new summary, and comments in YAML. */
function editFile(text: string, yaml: boolean): string {
  if (!yaml) {
    const value = JSON.parse(text) as Json;
    ((value.paths as Record<string, Json>)['/pets/{id}']!.get as Json).summary = 'Show one pet and its owner';
    return `${JSON.stringify(value, null, 2)}\n`;
  }
  const edited = `${YAML_COMMENTS[0]}\n${text}`
    .replace('summary: Show one pet\n', `summary: Show one pet and its owner ${YAML_COMMENTS[1]}\n`)
    .replace(/^( *)\/stores:\n/m, `$1${YAML_COMMENTS[2]}\n$1/stores:\n`);
  expect(edited).not.toBe(`${YAML_COMMENTS[0]}\n${text}`);
  return edited;
}

async function setup(policy: RemovalPolicy, extension: 'json' | 'yaml') {
  const dir = await mkdtemp(join(tmpdir(), 'als-removal-'));
  const path = join(dir, `api.${extension}`);
  const clock = new ManualClock(T1);
  const engine = new SyncEngine({ clock });
  const source = new MemorySource(v1());
  await engine.addSource({ id: 'api', source, target: openApiFileTarget({ path }), intervalMs: 0, policy: { removal: policy } });
  await engine.syncNow('api');
  await writeFile(path, editFile(await readFile(path, 'utf8'), extension === 'yaml'));
  const read = async (): Promise<{ text: string; value: Json }> => {
    const text = await readFile(path, 'utf8');
    return { text, value: (extension === 'yaml' ? parse(text) : JSON.parse(text)) as Json };
  };
  return { engine, source, clock, read };
}

describe.each(['json', 'yaml'] as const)('the removal policy on an OpenAPI %s file', (extension) => {
  describe.each(['remove', 'deprecate', 'keep'] as const)('removal=%s', (policy) => {
    it('removes, deprecates or keeps each removed operation on its own, and unmarks them when upstream restores them', async () => {
      const { engine, source, clock, read } = await setup(policy, extension);
      const before = await read();

      clock.advance(T2 - T1);
      source.set(v2());
      const removed = await engine.syncNow('api');
      expect(removed.outcome).toBe('applied');
      const after = await read();
      expect(after.value).toStrictEqual(expectedAfterRemoval(policy));
      // `keep` leaves the file exactly as the user left it.
      if (policy === 'keep') expect(after.text).toBe(before.text);
      if (extension === 'yaml') {
        expect(after.text).toContain(YAML_COMMENTS[0]);
        expect(after.text).toContain(YAML_COMMENTS[1]);
        expect(after.text).toContain(YAML_COMMENTS[2]);
      }

      // Another upstream change while the operations are away: the marks (and their time) stay as they are.
      clock.advance(T3 - T2);
      const later = v2();
      ((later.paths as Record<string, Json>)['/stores']!.get as Json).summary = 'List all stores';
      source.set(later);
      await engine.syncNow('api');
      const expectedLater = expectedAfterRemoval(policy);
      ((expectedLater.paths as Record<string, Json>)['/stores']!.get as Json).summary = 'List all stores';
      expect((await read()).value).toStrictEqual(expectedLater);

      // Upstream restores them: the engine's marks and the `deprecated: true` it added go, upstream's own stays, the edit stays.
      source.set(v1());
      const restored = await engine.syncNow('api');
      expect(restored.outcome).toBe('applied');
      const back = await read();
      expect(back.value).toStrictEqual(v1Edited());
      if (extension === 'yaml') for (const comment of YAML_COMMENTS) expect(back.text).toContain(comment);
    });
  });
});

describe('the removal policy on OpenAPI documents', () => {
  it('under `remove`, an untouched path item upstream removed goes entirely, path-level fields included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-removal-'));
    const path = join(dir, 'api.json');
    const engine = new SyncEngine();
    const source = new MemorySource(v1());
    await engine.addSource({ id: 'api', source, target: openApiFileTarget({ path }), intervalMs: 0, policy: { removal: 'remove' } });
    await engine.syncNow('api');
    source.set(v2());
    await engine.syncNow('api');
    expect(JSON.parse(await readFile(path, 'utf8'))).toStrictEqual(v2());
  });

  it('an edit of the path-level fields of a path upstream removed keeps its operations (the edit is not dropped)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-removal-'));
    const path = join(dir, 'api.json');
    const engine = new SyncEngine({ clock: new ManualClock(T2) });
    const source = new MemorySource(v1());
    await engine.addSource({ id: 'api', source, target: openApiFileTarget({ path }), intervalMs: 0, policy: { removal: 'remove' } });
    await engine.syncNow('api');
    const local = JSON.parse(await readFile(path, 'utf8')) as Json;
    (local.paths as Record<string, Json>)['/pets/{id}']!.summary = 'One pet, by id';
    await writeFile(path, JSON.stringify(local, null, 2));
    source.set(v2());
    await engine.syncNow('api');
    const pet = (JSON.parse(await readFile(path, 'utf8')) as { paths: Record<string, Json> }).paths['/pets/{id}']!;
    expect(pet.summary).toBe('One pet, by id');
    expect(
      Object.keys(pet)
        .filter((key) => ['get', 'put', 'patch', 'delete'].includes(key))
        .sort(),
    ).toEqual(['delete', 'get', 'patch', 'put']);
    expect((pet.put as Json)[OPENAPI_REMOVED_KEY]).toEqual({ at: new Date(T2).toISOString(), policy: 'remove', setDeprecated: true });
  });

  it('an operation the user deleted stays deleted under every policy', async () => {
    for (const policy of ['remove', 'deprecate', 'keep'] as const) {
      const dir = await mkdtemp(join(tmpdir(), 'als-removal-'));
      const path = join(dir, 'api.yaml');
      const engine = new SyncEngine();
      const source = new MemorySource(v1());
      await engine.addSource({ id: 'api', source, target: openApiFileTarget({ path }), intervalMs: 0, policy: { removal: policy } });
      await engine.syncNow('api');
      const local = parse(await readFile(path, 'utf8')) as { paths: Record<string, Json> };
      delete local.paths['/pets']!.post;
      await writeFile(path, JSON.stringify(local));
      source.set(v2());
      await engine.syncNow('api');
      expect((parse(await readFile(path, 'utf8')) as { paths: Record<string, Json> }).paths['/pets']).toStrictEqual({
        get: op('listPets', 'List pets'),
      });
    }
  });

  it('the mass-removal rail holds before any policy applies: nothing is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-removal-'));
    const path = join(dir, 'api.yaml');
    const engine = new SyncEngine();
    const source = new MemorySource(v1());
    await engine.addSource({
      id: 'api',
      source,
      target: openApiFileTarget({ path }),
      intervalMs: 0,
      policy: { removal: 'deprecate', maxRemovalShare: 0.4 },
    });
    await engine.syncNow('api');
    const before = await readFile(path, 'utf8');
    source.set(v2());
    const held = await engine.syncNow('api');
    expect(held).toMatchObject({ outcome: 'held', heldReason: 'mass-removal', heldDetails: { removed: 5, before: 11 } });
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('MemoryTarget holding OpenAPI documents applies the same policy', async () => {
    const engine = new SyncEngine({ clock: new ManualClock(T2) });
    const source = new MemorySource(v1());
    const target = new MemoryTarget<Json>();
    await engine.addSource({ id: 'api', source, target, intervalMs: 0, policy: { removal: 'remove' } });
    await engine.syncNow('api');
    target.value = v1Edited();
    source.set(v2());
    await engine.syncNow('api');
    expect(target.value).toStrictEqual(expectedAfterRemoval('remove'));
  });
});

describe('lasting decisions are not removals', () => {
  it.each(['openapi', 'hoppscotch'] as const)(
    'a tombstone imported while the %s copy still has the operation removes it under `deprecate`',
    async (kind) => {
      const dir = await mkdtemp(join(tmpdir(), 'als-removal-'));
      const path = join(dir, kind === 'openapi' ? 'api.yaml' : 'api.hoppscotch.json');
      const engine = new SyncEngine();
      const source = new MemorySource(v1());
      const target = kind === 'openapi' ? openApiFileTarget({ path }) : hoppscotchTarget({ path });
      await engine.addSource({ id: 'api', source, target: target as never, intervalMs: 0, policy: { removal: 'deprecate' } });
      await engine.syncNow('api');
      // A teammate deleted `POST /pets` for good; their decisions file reaches this machine.
      await engine.updateDecisions('api', { tombstones: ['POST /pets'] });
      source.set({ ...v1(), info: { title: 'Pets', version: '1.0.1' } });
      expect(await engine.syncNow('api')).toMatchObject({ outcome: 'applied', written: true });
      if (kind === 'openapi') {
        expect((parse(await readFile(path, 'utf8')) as { paths: Record<string, Json> }).paths['/pets']).toStrictEqual({
          get: op('listPets', 'List pets'),
        });
      } else {
        const names = allRequests((await readCollectionFile(path))!).map((request) => request.name);
        expect(names).toContain('List pets');
        expect(names.filter((name) => /create a pet/i.test(name))).toEqual([]);
      }
    },
  );
});

describe('removedUpstream: the decision every target shares', () => {
  const base = new Map([
    ['a', 1],
    ['b', 2],
    ['c', 3],
    ['d', 4],
  ]);
  const local = new Map([
    ['a', 1],
    ['b', 20],
    ['c', 30],
  ]); // a untouched, b and c edited, d deleted by the user
  const remote = new Map<string, number>();
  const merged = new Map([['b', 20]]); // the resolver kept b's edit and let c go

  it.each([
    [
      'remove',
      [
        ['a', false, 'drop', 1],
        ['b', true, 'mark', 20],
        ['c', true, 'drop', 30],
      ],
    ],
    [
      'deprecate',
      [
        ['a', false, 'mark', 1],
        ['b', true, 'mark', 20],
        ['c', true, 'mark', 30],
      ],
    ],
    [
      'keep',
      [
        ['a', false, 'keep', 1],
        ['b', true, 'keep', 20],
        ['c', true, 'keep', 30],
      ],
    ],
  ] as const)('%s', (policy, expected) => {
    const removed = removedUpstream({ base, local, remote, merged }, policy);
    expect(removed.map((entry) => [entry.key, entry.edited, entry.action, entry.kept])).toEqual(expected);
  });

  it('lists nothing on a first sync, without a local copy, or for what upstream still has', () => {
    expect(removedUpstream({ base: undefined, local, remote, merged }, 'deprecate')).toEqual([]);
    expect(removedUpstream({ base, local: undefined, remote, merged }, 'deprecate')).toEqual([]);
    expect(removedUpstream({ base, local, remote: base, merged }, 'deprecate')).toEqual([]);
  });
});
