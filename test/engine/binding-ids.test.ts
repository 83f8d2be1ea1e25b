/**
 * Binding ids: one pattern, checked at every entry of the engine and by the
 * file store itself, so that no id can make the store write outside its
 * folder (`..` used to put base.json, journal*.json and validators.json in
 * the store's parent, and `deleteBinding('..')` removed the parent).
 */
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore, SyncEngine, assertBindingId, isSyncError, isValidBindingId } from '../../src/index.js';
import { MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';

/** The ids the issue names: path steps, a separator, nothing, one character too many. */
const BAD_IDS = ['..', '.', 'a/b', '', 'x'.repeat(129)];

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isSyncError(error) ? error.code : `not a SyncError: ${String(error)}`;
}

const parents: string[] = [];
afterAll(async () => {
  await Promise.all(parents.map((parent) => rm(parent, { recursive: true, force: true })));
});

/** A store folder inside a parent folder that holds one file of its own. */
async function storeInParent(): Promise<{ parent: string; dir: string }> {
  const parent = await mkdtemp(join(tmpdir(), 'als-ids-'));
  parents.push(parent);
  const dir = join(parent, 'store');
  await mkdir(dir);
  await writeFile(join(parent, 'keep.txt'), 'mine');
  return { parent, dir };
}

describe('isValidBindingId / assertBindingId', () => {
  it('accepts ordinary ids and refuses path steps, separators, control characters and lengths outside 1..128', () => {
    const good = [
      'petstore',
      'billing-api.json',
      'pets "main"',
      'a b',
      '...',
      '.hidden',
      'ü'.repeat(128),
      '𝄞'.repeat(128),
      'x'.repeat(128),
      'Bestellungen (v2)',
    ];
    const bad = [
      ...BAD_IDS,
      'a\\b',
      'a\nb',
      'tab\there',
      '\x7f',
      'c1\u0085',
      '   ',
      'lone\uD800',
      '\uDC00',
      'x'.repeat(200),
      '𝄞'.repeat(129),
    ];
    for (const id of good) expect(isValidBindingId(id), JSON.stringify(id)).toBe(true);
    for (const id of bad) expect(isValidBindingId(id), JSON.stringify(id)).toBe(false);
    for (const value of [undefined, null, 42, {}, ['a']]) expect(isValidBindingId(value)).toBe(false);
  });

  it('throws BINDING_ID_INVALID, a BindingError that is not retryable', () => {
    for (const id of [...BAD_IDS, 7]) {
      let caught: unknown;
      try {
        assertBindingId(id);
      } catch (error) {
        caught = error;
      }
      expect(
        isSyncError(caught) && caught.name === 'BindingError' && caught.code === 'BINDING_ID_INVALID' && !caught.retryable,
        JSON.stringify(id),
      ).toBe(true);
    }
    expect(() => assertBindingId('petstore')).not.toThrow();
  });
});

describe('the engine refuses an id no binding can have, before it touches anything', () => {
  it('at addSource, and at every method that takes a source id', async () => {
    const { parent, dir } = await storeInParent();
    const engine = new SyncEngine({ store: new FileStore({ dir }) });
    await engine.addSource({ id: 'good', source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    for (const id of BAD_IDS) {
      const binding = { id, source: new MemorySource(petstore(1)), target: new MemoryTarget() };
      expect(await codeOf(engine.addSource(binding)), JSON.stringify(id)).toBe('BINDING_ID_INVALID');
      expect(await codeOf(engine.syncNow(id)), JSON.stringify(id)).toBe('BINDING_ID_INVALID');
      expect(await codeOf(engine.addSyncJob({ sourceId: id })), JSON.stringify(id)).toBe('BINDING_ID_INVALID');
      expect(await codeOf(engine.removeSource(id)), JSON.stringify(id)).toBe('BINDING_ID_INVALID');
      expect(await codeOf(engine.plan(id)), JSON.stringify(id)).toBe('BINDING_ID_INVALID');
      expect(await codeOf(engine.rollback(id)), JSON.stringify(id)).toBe('BINDING_ID_INVALID');
      expect(await codeOf(engine.getJournal(id)), JSON.stringify(id)).toBe('BINDING_ID_INVALID');
      expect(await codeOf(engine.getDecisions(id)), JSON.stringify(id)).toBe('BINDING_ID_INVALID');
      expect(await codeOf(engine.updateDecisions(id, { keepLocal: ['/info/title'] })), JSON.stringify(id)).toBe('BINDING_ID_INVALID');
      expect(
        await codeOf(engine.importDecisions({ format: 'api-live-sync/decisions', version: 1, bindings: { [id]: { keepLocal: ['/x'] } } })),
        JSON.stringify(id),
      ).toBe('BINDING_ID_INVALID');
      const dependent = { id: 'dependent', source: new MemorySource(petstore(1)), target: new MemoryTarget(), dependsOn: [id] };
      expect(await codeOf(engine.addSource(dependent)), JSON.stringify(id)).toBe('BINDING_ID_INVALID');
    }
    // An unknown but valid id is still BINDING_NOT_FOUND.
    expect(await codeOf(engine.syncNow('unknown'))).toBe('BINDING_NOT_FOUND');
    expect((await engine.syncNow('good')).outcome).toBe('applied');
    expect(engine.getSyncStatus().bindings.map((b) => b.id)).toEqual(['good']);
    expect((await readdir(parent)).sort()).toEqual(['keep.txt', 'store']);
    expect(await readdir(dir)).toEqual(['good']);
  });
});

describe('FileStore maps every id inside its folder', () => {
  it('refuses the bad ids at every method, and writes nothing outside the store folder', async () => {
    const { parent, dir } = await storeInParent();
    const store = new FileStore({ dir });
    const base = { document: { openapi: '3.0.0' }, hash: 'sha256:1', savedAt: 1 };
    for (const id of BAD_IDS) {
      const calls: Array<Promise<unknown>> = [
        store.saveBase(id, base),
        store.saveValidators(id, { etag: '"1"' }),
        store.setRecord(id, 'journal', []),
        store.getBase(id),
        store.getValidators(id),
        store.getRecord(id, 'journal'),
        store.deleteRecord(id, 'journal'),
        store.deleteBinding(id),
      ];
      for (const call of calls) expect(await codeOf(call), JSON.stringify(id)).toBe('BINDING_ID_INVALID');
    }
    expect((await readdir(parent)).sort()).toEqual(['keep.txt', 'store']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('encodes the dots of a name made only of dots, keeps encodeURIComponent for the rest, and refuses a name too long for a file system', async () => {
    const { parent, dir } = await storeInParent();
    const store = new FileStore({ dir });
    await store.setRecord('...', 'journal', [1]);
    await store.setRecord('pets "main" ü', 'journal', [2]);
    await store.setRecord('x'.repeat(128), 'journal', [3]);
    expect((await readdir(dir)).sort()).toEqual(['%2E%2E%2E', encodeURIComponent('pets "main" ü'), 'x'.repeat(128)].sort());
    expect(await store.getRecord('...', 'journal')).toEqual([1]);
    expect(await store.getRecord('pets "main" ü', 'journal')).toEqual([2]);
    // 128 characters, but 128 × 4 UTF-8 bytes × 3 once percent-encoded: no file system takes that name.
    expect(await codeOf(store.setRecord('𝄞'.repeat(128), 'journal', []))).toBe('BINDING_ID_INVALID');
    expect(await codeOf(store.setRecord('é'.repeat(43), 'journal', []))).toBe('BINDING_ID_INVALID');
    await store.setRecord('é'.repeat(42), 'journal', [4]);
    expect(await store.getRecord('é'.repeat(42), 'journal')).toEqual([4]);
    expect((await readdir(parent)).sort()).toEqual(['keep.txt', 'store']);
  });
});
