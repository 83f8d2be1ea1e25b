import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastJsonPatch from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { FileStore, SyncEngine, manual, openApiFileTarget, planToMarkdown } from '../../src/index.js';
import { OPENAPI_REMOVED_KEY } from '../../src/targets/index.js';
import { EventRecorder, MemorySource, MemoryStore, MemoryTarget } from '../../src/testing/index.js';

type Doc = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Record<string, unknown>>> };

function api(version: number, extra: Record<string, Record<string, Record<string, unknown>>> = {}): Doc {
  return {
    openapi: '3.0.3',
    info: { title: 'Pets', version: String(version) },
    paths: {
      '/pets': {
        get: {
          summary: 'List pets',
          parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer' } }],
          responses: { '200': { description: 'ok' } },
        },
      },
      '/pets/{id}': {
        get: { summary: 'Get pet', responses: { '200': { description: 'ok' } } },
        delete: { summary: 'Delete pet', responses: { '204': { description: 'gone' } } },
      },
      ...extra,
    },
  };
}

async function setup(policy = {}) {
  const store = new MemoryStore();
  const engine = new SyncEngine({ store, resolver: manual({ timeoutMs: 60_000 }) });
  const source = new MemorySource(api(1));
  const target = new MemoryTarget<Doc>();
  await engine.addSource({ id: 'pets', source, target, policy });
  await engine.syncNow('pets');
  return { engine, source, target, store };
}

describe('plans', () => {
  it('computes what a sync would do without writing anything, as JSON and Markdown', async () => {
    const { engine, source, target, store } = await setup();
    const local = target.value!;
    local.paths['/pets']!.get!.summary = 'Mine';
    target.value = local;
    const edited = target.value;
    source.set(api(2, { '/owners': { post: { summary: 'Add owner', responses: { '201': { description: 'made' } } } } }));
    const requiredLimit = source.document as Doc;
    (requiredLimit.paths['/pets']!.get!.parameters as Array<Record<string, unknown>>)[0]!.required = true;
    requiredLimit.paths['/pets']!.get!.summary = 'Theirs';
    source.set(requiredLimit);
    const baseBefore = await store.getBase('pets');
    const recorder = new EventRecorder(engine);

    const plan = await engine.plan('pets');
    expect(plan.outcome).toBe('apply');
    expect(plan.changes.map((c) => c.id)).toEqual(expect.arrayContaining(['endpoint-added', 'request-parameter-became-required']));
    expect(plan.conflicts).toHaveLength(1);
    // A manual resolver never waits inside a plan: its fallback (keep local) decides.
    expect(plan.decisions[0]).toMatchObject({ take: 'local' });
    const patched = fastJsonPatch.applyPatch(structuredClone(edited), plan.patch as fastJsonPatch.Operation[]).newDocument;
    expect(patched).toEqual(plan.merged);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);

    // Nothing written, nothing emitted, nothing saved.
    expect(target.value).toEqual(edited);
    expect(target.writeCount).toBe(1);
    expect(await store.getBase('pets')).toEqual(baseBefore);
    expect(recorder.events).toEqual([]);

    const markdown = planToMarkdown(plan);
    expect(markdown).toContain('# Sync plan: pets');
    expect(markdown.indexOf('## Breaking')).toBeLessThan(markdown.indexOf('## Info'));
    expect(markdown).toContain('### GET /pets');
    expect(markdown).toContain('### POST /owners');
    expect(markdown).toContain('## Conflicts (1)');
  });

  it('says unchanged when nothing changed', async () => {
    const { engine } = await setup();
    const plan = await engine.plan('pets');
    expect(plan).toMatchObject({ outcome: 'unchanged', patch: [] });
    expect(planToMarkdown(plan)).toContain('Nothing to do');
  });
});

describe('safety rails', () => {
  it('holds breaking changes for review when configured; approve applies exactly that document', async () => {
    const { engine, source, target } = await setup({ holdOnBreaking: true });
    const recorder = new EventRecorder(engine);
    source.set({ ...api(2), paths: { '/pets': api(1).paths['/pets']!, '/pets/{id}': { get: api(1).paths['/pets/{id}']!.get! } } });
    const held = await engine.syncNow('pets');
    expect(held).toMatchObject({ outcome: 'held', heldReason: 'breaking-changes' });
    expect(target.value!.paths['/pets/{id}']!.delete).toBeDefined();
    const [pending] = engine.getHeldSyncs();
    expect(pending).toMatchObject({ jobId: held.jobId, sourceId: 'pets', reason: 'breaking-changes' });
    // Polling the same document again holds it quietly: no second event, no second entry.
    await engine.syncNow('pets');
    expect(recorder.of('sync:held')).toHaveLength(1);
    expect(engine.getHeldSyncs()).toHaveLength(1);
    const applied = await engine.approve(held.jobId);
    expect(applied.outcome).toBe('applied');
    // Applied under the default removal policy (`deprecate`): the removed operation stays, marked.
    expect(target.value!.paths['/pets/{id}']!.delete).toMatchObject({ deprecated: true, [OPENAPI_REMOVED_KEY]: { policy: 'deprecate' } });
    expect(engine.getHeldSyncs()).toEqual([]);
    await expect(engine.approve(held.jobId)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('dismiss keeps the held document out until the remote changes', async () => {
    const { engine, source, target } = await setup();
    source.set({ ...api(2), paths: { '/other': { get: { responses: {} } } } });
    const held = await engine.syncNow('pets');
    expect(held).toMatchObject({ outcome: 'held', heldReason: 'mass-removal' });
    await engine.dismiss(held.jobId);
    expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'held' });
    expect(engine.getHeldSyncs()).toEqual([]);
    source.set(api(3));
    expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'applied' });
    expect(target.value!.info.version).toBe('3');
  });

  it('flapping protection: a document must be seen identical N runs in a row', async () => {
    const { engine, source, target } = await setup({ stableRuns: 2 });
    source.set(api(2));
    expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'held', heldReason: 'settling' });
    source.set(api(3));
    expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'held', heldReason: 'settling' });
    source.set(api(3)); // the server restarted and serves the same document again
    expect(await engine.syncNow('pets')).toMatchObject({ outcome: 'applied' });
    expect(target.value!.info.version).toBe('3');
  });
});

describe('journal and rollback', () => {
  it('records every applied sync and rolls back the local copy and the base exactly, as a new entry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'als-journal-'));
    const store = new FileStore({ dir: join(dir, 'store') });
    const path = join(dir, 'pets.json');
    const engine = new SyncEngine({ store });
    const recorder = new EventRecorder(engine);
    const source = new MemorySource(api(1));
    await engine.addSource({ id: 'pets', source, target: openApiFileTarget({ path }) });
    await engine.syncNow('pets');
    const edited = JSON.parse(await readFile(path, 'utf8')) as Doc;
    edited.paths['/pets']!.get!.description = 'my note';
    await writeFile(path, JSON.stringify(edited, null, 2));
    source.set(api(2, { '/owners': { get: { summary: 'Owners', responses: {} } } }));
    await engine.syncNow('pets');
    const textBefore = JSON.parse(await readFile(path, 'utf8')) as Doc;
    const baseBefore = await store.getBase('pets');
    source.set(api(3, { '/owners': { get: { summary: 'Owners', responses: {} } }, '/vets': { get: { summary: 'Vets', responses: {} } } }));
    await engine.syncNow('pets');

    const journal = await engine.getJournal('pets');
    expect(journal.map((e) => [e.id, e.kind])).toEqual([
      ['j-1', 'sync'],
      ['j-2', 'sync'],
      ['j-3', 'sync'],
    ]);
    expect(journal[2]!.changes.map((c) => c.id)).toContain('endpoint-added');

    const entry = await engine.rollback('pets');
    expect(entry).toMatchObject({ id: 'j-4', kind: 'rollback', rolledBack: 'j-3' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(textBefore);
    expect(await store.getBase('pets')).toMatchObject({ document: baseBefore!.document, hash: baseBefore!.hash });
    expect(recorder.of('sync:rolled-back')[0]).toMatchObject({ sourceId: 'pets', journalId: 'j-4', rolledBack: 'j-3' });

    // Roll back to before j-2: the user's note (made before j-2) is still there.
    const second = await engine.rollback('pets', 'j-2');
    expect(second.kind).toBe('rollback');
    const restored = JSON.parse(await readFile(path, 'utf8')) as Doc;
    expect(restored.paths['/owners']).toBeUndefined();
    expect(restored.paths['/pets']!.get!.description).toBe('my note');
    expect(restored.info.version).toBe('1');
    await expect(engine.rollback('pets', 'j-1')).rejects.toMatchObject({ code: 'ROLLBACK_REFUSED' });
    await expect(engine.rollback('pets', 'j-99')).rejects.toMatchObject({ code: 'ROLLBACK_REFUSED' });
  });

  it('refuses to roll back over local edits made since the last sync, unless forced', async () => {
    const { engine, source, target } = await setup();
    source.set(api(2));
    await engine.syncNow('pets');
    const local = target.value!;
    local.info.title = 'edited after sync';
    target.value = local;
    await expect(engine.rollback('pets')).rejects.toMatchObject({ code: 'ROLLBACK_REFUSED' });
    const entry = await engine.rollback('pets', undefined, { force: true });
    expect(target.value!.info.version).toBe('1');
    // The forced rollback is itself journalled: rolling it back restores the edit.
    await engine.rollback('pets', entry.id);
    expect(target.value!.info.title).toBe('edited after sync');
  });

  it('bounds the journal', async () => {
    const { engine, source } = await setup({ journalLimit: 3 });
    for (let v = 2; v <= 6; v++) {
      source.set(api(v));
      await engine.syncNow('pets');
    }
    expect((await engine.getJournal('pets')).map((e) => e.id)).toEqual(['j-4', 'j-5', 'j-6']);
  });

  it('keeps each entry in its own store record, deletes dropped ones, and works on a store without deleteRecord', async () => {
    const { engine, source, store } = await setup({ journalLimit: 2 });
    for (let v = 2; v <= 4; v++) {
      source.set(api(v));
      await engine.syncNow('pets');
    }
    expect(await store.getRecord('pets', 'journal')).toEqual({ v: 2, ids: ['j-3', 'j-4'] });
    expect(await store.getRecord('pets', 'journal.j-2')).toBeUndefined();
    expect((await store.getRecord<{ id: string; hash: string }>('pets', 'journal.j-4'))!.id).toBe('j-4');

    // A store with only the required methods: dropped entries are blanked with null.
    const inner = new MemoryStore();
    const minimal = {
      getBase: inner.getBase.bind(inner),
      saveBase: inner.saveBase.bind(inner),
      getValidators: inner.getValidators.bind(inner),
      saveValidators: inner.saveValidators.bind(inner),
      getRecord: inner.getRecord.bind(inner),
      setRecord: inner.setRecord.bind(inner),
      deleteBinding: inner.deleteBinding.bind(inner),
    };
    const other = new SyncEngine({ store: minimal });
    const otherSource = new MemorySource(api(1));
    await other.addSource({ id: 'pets', source: otherSource, target: new MemoryTarget<Doc>(), policy: { journalLimit: 1 } });
    await other.syncNow('pets');
    otherSource.set(api(2));
    await other.syncNow('pets');
    expect(await inner.getRecord('pets', 'journal.j-1')).toBeNull();
    expect((await other.getJournal('pets')).map((e) => e.id)).toEqual(['j-2']);
  });

  it('reads and moves on a journal written in the first format (one record holding every entry)', async () => {
    const { engine, source, store } = await setup();
    const entries = await engine.getJournal('pets');
    await store.setRecord('pets', 'journal', entries);
    await store.deleteRecord!('pets', 'journal.j-1');
    expect((await engine.getJournal('pets')).map((e) => e.id)).toEqual(['j-1']);
    source.set(api(2));
    await engine.syncNow('pets');
    expect(await store.getRecord('pets', 'journal')).toEqual({ v: 2, ids: ['j-1', 'j-2'] });
    expect((await engine.getJournal('pets')).map((e) => e.id)).toEqual(['j-1', 'j-2']);
  });
});

describe('lasting decisions', () => {
  it('ignores operations, keeps tombstoned ones deleted, keeps local on chosen paths; export and import as one file', async () => {
    const { engine, source, target } = await setup();
    await engine.updateDecisions('pets', {
      ignoredOperations: ['POST /internal'],
      tombstones: ['DELETE /pets/{id}'],
      keepLocal: ['/paths/*/*/summary'],
    });
    const local = target.value!;
    local.paths['/pets']!.get!.summary = 'Mine';
    target.value = local;
    const next = api(2, { '/internal': { post: { summary: 'internal', responses: {} } } });
    next.paths['/pets']!.get!.summary = 'Theirs';
    source.set(next);
    const result = await engine.syncNow('pets');
    expect(target.value!.paths['/internal']).toBeUndefined();
    expect(target.value!.paths['/pets/{id}']!.delete).toBeUndefined();
    expect(target.value!.paths['/pets']!.get!.summary).toBe('Mine');
    expect(result.decisions[0]?.reason).toContain('lasting');

    const file = await engine.exportDecisions();
    expect(file).toEqual({
      format: 'api-live-sync/decisions',
      version: 1,
      bindings: { pets: { ignoredOperations: ['POST /internal'], keepLocal: ['/paths/*/*/summary'], tombstones: ['DELETE /pets/{id}'] } },
    });
    const other = new SyncEngine();
    await other.addSource({ id: 'pets', source: new MemorySource(api(1)), target: new MemoryTarget() });
    await other.importDecisions(JSON.parse(JSON.stringify(file)));
    expect(await other.getDecisions('pets')).toEqual(file.bindings.pets);
    await expect(
      other.importDecisions({ format: 'api-live-sync/decisions', version: 1, bindings: { pets: { tombstones: ['not an op'] } } }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(await other.getDecisions('pets')).toEqual(file.bindings.pets);
  });
});
