/**
 * The store conformance suite: one set of tests every `SyncStore` must pass
 * (MemoryStore, FileStore, RedisStore, and a user's own). Call
 * {@link storeConformance} at the top level of a test file with a factory
 * that returns a fresh, empty store; the suite closes each store it made.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncStore } from '../../src/index.js';
import { prng } from '../support/prng.js';

/** A store, and what to do when a test is done with it (beyond `close()`). */
export type StoreFactory = () => SyncStore | Promise<SyncStore>;

/** A JSON document of about `bytes` bytes, the same for the same seed: many paths, nested objects, arrays, unicode. */
export function largeDocument(bytes: number, seed = 1): { openapi: string; paths: Record<string, unknown> } {
  const random = prng(seed);
  const words = ['pets', 'owners', 'vets', 'visits', 'billing', 'invoices', 'Größe', 'café', '日本語', 'emoji 🐈‍⬛', 'ünïcödé', 'naïve'];
  const pick = () => words[Math.floor(random() * words.length)]!;
  const paths: Record<string, unknown> = {};
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const operation = {
      operationId: `op${i}`,
      summary: `${pick()} ${pick()} ${Math.floor(random() * 1e9)}`,
      tags: [pick(), pick()],
      parameters: [{ in: 'query', name: pick(), required: random() < 0.5, schema: { type: 'string', enum: [pick(), pick(), pick()] } }],
      responses: {
        '200': {
          description: `${pick()} ✓`,
          content: { 'application/json': { schema: { type: 'array', items: { $ref: `#/components/schemas/S${i % 97}` } } } },
        },
      },
    };
    paths[`/${pick()}/${i}/{id}`] = { get: operation };
    size += JSON.stringify(operation).length + 20;
  }
  return { openapi: '3.1.0', paths };
}

/** Try to change a value a store returned: either it refuses (frozen: TypeError) or it is a private copy. */
function tryToMutate(mutate: () => void): void {
  try {
    mutate();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
  }
}

/** Register the conformance suite for the stores `make` returns, under `name`. */
export function storeConformance(name: string, make: StoreFactory): void {
  describe(`${name} conformance`, () => {
    const made: SyncStore[] = [];
    const fresh = async (): Promise<SyncStore> => {
      const store = await make();
      made.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(made.splice(0).map((store) => store.close?.()));
    });

    it('keeps bases, validators and records per binding, and forgets a binding', async () => {
      const store = await fresh();
      expect(await store.getBase('a')).toBeUndefined();
      expect(await store.getValidators('a')).toEqual({});
      expect(await store.getRecord('a', 'journal')).toBeUndefined();
      await store.saveBase('a', { document: { openapi: '3.0.0' }, hash: 'sha256:1', savedAt: 1 });
      await store.saveValidators('a', { etag: '"v1"' });
      await store.setRecord('a', 'journal', [{ id: 1 }]);
      await store.setRecord('b with spaces', 'journal', [{ id: 2 }]);
      expect(await store.getBase('a')).toEqual({ document: { openapi: '3.0.0' }, hash: 'sha256:1', savedAt: 1 });
      expect(await store.getValidators('a')).toEqual({ etag: '"v1"' });
      expect(await store.getRecord('b with spaces', 'journal')).toEqual([{ id: 2 }]);
      await store.deleteBinding('a');
      expect(await store.getBase('a')).toBeUndefined();
      expect(await store.getValidators('a')).toEqual({});
      expect(await store.getRecord('a', 'journal')).toBeUndefined();
      expect(await store.getRecord('b with spaces', 'journal')).toEqual([{ id: 2 }]);
    });

    it('replaces on every write: validators and records are not merged with what was there', async () => {
      const store = await fresh();
      await store.saveValidators('a', { etag: '"v1"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' });
      await store.saveValidators('a', { contentHash: 'sha256:2' });
      expect(await store.getValidators('a')).toEqual({ contentHash: 'sha256:2' });
      await store.setRecord('a', 'decisions', { keepLocal: ['/x'], tombstones: [] });
      await store.setRecord('a', 'decisions', { tombstones: ['/y'] });
      expect(await store.getRecord('a', 'decisions')).toEqual({ tombstones: ['/y'] });
      await store.saveBase('a', { document: { v: 1, old: true }, hash: 'h1', savedAt: 1 });
      await store.saveBase('a', { document: { v: 2 }, hash: 'h2', savedAt: 2 });
      expect(await store.getBase('a')).toEqual({ document: { v: 2 }, hash: 'h2', savedAt: 2 });
    });

    it('round-trips every kind of JSON value, null included (the engine blanks records with null on stores without deleteRecord)', async () => {
      const store = await fresh();
      const values: Record<string, unknown> = {
        null: null,
        zero: 0,
        negative: -12.5,
        big: 2 ** 53 - 1,
        true: true,
        false: false,
        'empty-string': '',
        string: 'plain',
        'empty-array': [],
        'empty-object': {},
        nested: { a: [1, { b: [null, 'x', { c: {} }] }], d: false },
      };
      for (const [key, value] of Object.entries(values)) await store.setRecord('a', key, value);
      for (const [key, value] of Object.entries(values)) expect(await store.getRecord('a', key), key).toEqual(value);
      expect(await store.getRecord('a', 'null')).toBeNull();
    });

    it('keeps unicode exactly: in values, in keys of objects, and in binding ids', async () => {
      const store = await fresh();
      const text =
        'café Größe 日本語 emoji 🐈‍⬛ 👍🏽 RTL עברית combining é (e + U+0301), NUL \u0000, line\nbreak, tab\t, quote " backslash \\, U+2028 \u2028';
      const value = { text, [text]: [text], '🔑': { '€': '£' } };
      for (const id of ['café ☕', '日本語のAPI', '🐈‍⬛ api', 'a{b}c', 'a:b', '*?[]', '%41', 'ends with }']) {
        await store.setRecord(id, 'notes', value);
        await store.saveValidators(id, { etag: `W/"${id}"` });
      }
      for (const id of ['café ☕', '日本語のAPI', '🐈‍⬛ api', 'a{b}c', 'a:b', '*?[]', '%41', 'ends with }']) {
        expect(await store.getRecord(id, 'notes'), id).toEqual(value);
        expect(await store.getValidators(id), id).toEqual({ etag: `W/"${id}"` });
      }
      // Ids that look alike stay apart.
      expect(await store.getRecord('A', 'notes')).toBeUndefined();
      expect(await store.getRecord('a', 'notes')).toBeUndefined();
      expect(await store.getRecord('a{b', 'notes')).toBeUndefined();
    });

    it('keeps large values whole (a base of several megabytes, a record of a megabyte of text)', async () => {
      const store = await fresh();
      const document = largeDocument(3_000_000);
      await store.saveBase('big', { document, hash: 'sha256:big', savedAt: 7 });
      const text = 'x🐈'.repeat(350_000);
      await store.setRecord('big', 'journal.j-1.before', { encoding: 'utf8', text });
      const base = await store.getBase('big');
      expect(base?.hash).toBe('sha256:big');
      expect(base?.savedAt).toBe(7);
      expect(base?.document).toEqual(document);
      expect(await store.getRecord('big', 'journal.j-1.before')).toEqual({ encoding: 'utf8', text });
    }, 60_000);

    it('holds journal-style records: an index and hundreds of entries under their own keys, each deleted alone', async () => {
      const store = await fresh();
      const ids = Array.from({ length: 300 }, (_, i) => `j-${i}`);
      for (const id of ids) {
        await store.setRecord('api', `journal.${id}`, { id, changes: [{ op: 'add', path: `/paths/~1x${id}` }] });
        await store.setRecord('api', `journal.${id}.before`, { encoding: 'utf8', text: `bytes of ${id}` });
      }
      await store.setRecord('api', 'journal', { v: 2, ids });
      await store.setRecord('api', 'journal.pending', { v: 1, id: 'j-300' });
      const read = await Promise.all(ids.map((id) => store.getRecord<{ id: string }>('api', `journal.${id}`)));
      expect(read.map((entry) => entry?.id)).toEqual(ids);
      for (const id of ids.slice(0, 250)) {
        await store.deleteRecord!('api', `journal.${id}`);
        await store.deleteRecord!('api', `journal.${id}.before`);
      }
      await store.deleteRecord!('api', 'journal.pending');
      await store.setRecord('api', 'journal', { v: 2, ids: ids.slice(250) });
      expect(await store.getRecord('api', 'journal.j-249')).toBeUndefined();
      expect(await store.getRecord('api', 'journal.j-249.before')).toBeUndefined();
      expect(await store.getRecord('api', 'journal.pending')).toBeUndefined();
      expect(await store.getRecord('api', 'journal.j-250')).toEqual({ id: 'j-250', changes: [{ op: 'add', path: '/paths/~1xj-250' }] });
      expect(await store.getRecord('api', 'journal.j-299.before')).toEqual({ encoding: 'utf8', text: 'bytes of j-299' });
      expect(await store.getRecord('api', 'journal')).toEqual({ v: 2, ids: ids.slice(250) });
    }, 60_000);

    it('deletes one record and leaves the others', async () => {
      const store = await fresh();
      await store.setRecord('a', 'journal.j-1', { id: 'j-1' });
      await store.setRecord('a', 'journal.j-2', { id: 'j-2' });
      await store.deleteRecord!('a', 'journal.j-1');
      await store.deleteRecord!('a', 'journal.j-1'); // already gone: no error
      await store.deleteRecord!('never', 'seen');
      expect(await store.getRecord('a', 'journal.j-1')).toBeUndefined();
      expect(await store.getRecord('a', 'journal.j-2')).toEqual({ id: 'j-2' });
    });

    it('deleteBinding removes everything of the binding and nothing of any other, even ids that share a prefix', async () => {
      const store = await fresh();
      const ids = ['api', 'api2', 'ap', 'api.json', 'API', 'api }', '{api}'];
      for (const id of ids) {
        await store.saveBase(id, { document: { id }, hash: `h-${id}`, savedAt: 1 });
        await store.saveValidators(id, { etag: id });
        for (let i = 0; i < 20; i++) await store.setRecord(id, `journal.j-${i}`, { id, i });
        await store.setRecord(id, 'decisions', { id });
      }
      await store.deleteBinding('api');
      await store.deleteBinding('api'); // already gone: no error
      await store.deleteBinding('never-seen');
      expect(await store.getBase('api')).toBeUndefined();
      expect(await store.getValidators('api')).toEqual({});
      expect(await store.getRecord('api', 'decisions')).toBeUndefined();
      for (let i = 0; i < 20; i++) expect(await store.getRecord('api', `journal.j-${i}`)).toBeUndefined();
      for (const id of ids.slice(1)) {
        expect(await store.getBase(id), id).toEqual({ document: { id }, hash: `h-${id}`, savedAt: 1 });
        expect(await store.getValidators(id), id).toEqual({ etag: id });
        expect(await store.getRecord(id, 'decisions'), id).toEqual({ id });
        for (let i = 0; i < 20; i++) expect(await store.getRecord(id, `journal.j-${i}`)).toEqual({ id, i });
      }
      // A forgotten binding starts afresh.
      await store.setRecord('api', 'decisions', { again: true });
      expect(await store.getRecord('api', 'decisions')).toEqual({ again: true });
      expect(await store.getBase('api')).toBeUndefined();
    });

    it('takes concurrent writes to different keys and bindings without losing one', async () => {
      const store = await fresh();
      const writes: Promise<void>[] = [];
      for (let binding = 0; binding < 5; binding++) {
        for (let key = 0; key < 40; key++)
          writes.push(store.setRecord(`b${binding}`, `k-${key}`, { binding, key, pad: 'p'.repeat(key * 100) }));
        writes.push(store.saveBase(`b${binding}`, { document: largeDocument(20_000, binding), hash: `h${binding}`, savedAt: binding }));
        writes.push(store.saveValidators(`b${binding}`, { etag: `e${binding}` }));
      }
      await Promise.all(writes);
      for (let binding = 0; binding < 5; binding++) {
        const read = await Promise.all(Array.from({ length: 40 }, (_, key) => store.getRecord(`b${binding}`, `k-${key}`)));
        expect(read).toEqual(Array.from({ length: 40 }, (_, key) => ({ binding, key, pad: 'p'.repeat(key * 100) })));
        expect((await store.getBase(`b${binding}`))?.document).toEqual(largeDocument(20_000, binding));
        expect(await store.getValidators(`b${binding}`)).toEqual({ etag: `e${binding}` });
      }
    });

    it('ends concurrent writes to one key with one of the written values, whole', async () => {
      const store = await fresh();
      const values = Array.from({ length: 20 }, (_, i) => ({ i, payload: String(i).repeat(5000 + i) }));
      await Promise.all(values.map((value) => store.setRecord('a', 'same', value)));
      const read = await store.getRecord<{ i: number; payload: string }>('a', 'same');
      expect(values).toContainEqual(read);
    });

    it('keeps what was written: mutating a written or a returned value changes nothing stored', async () => {
      const store = await fresh();
      const record = { list: [1, 2] };
      await store.setRecord('a', 'r', record);
      record.list.push(3);
      const read = await store.getRecord<{ list: number[] }>('a', 'r');
      tryToMutate(() => read!.list.push(4)); // a copy, or a frozen value that refuses the change (MemoryStore)
      expect(await store.getRecord('a', 'r')).toEqual({ list: [1, 2] });

      const document = { paths: { '/x': { get: { tags: ['t'] } } } };
      await store.saveBase('a', { document, hash: 'h', savedAt: 1 });
      document.paths['/x'].get.tags.push('changed after the write');
      const base = await store.getBase('a');
      tryToMutate(() => ((base!.document as typeof document).paths['/x'].get.tags[0] = 'changed after the read'));
      tryToMutate(() => ((base as { hash: string }).hash = 'changed'));
      expect(await store.getBase('a')).toEqual({ document: { paths: { '/x': { get: { tags: ['t'] } } } }, hash: 'h', savedAt: 1 });

      const validators = { etag: '"1"' };
      await store.saveValidators('a', validators);
      validators.etag = '"changed"';
      const readValidators = await store.getValidators('a');
      tryToMutate(() => ((readValidators as { etag?: string }).etag = '"changed after the read"'));
      expect(await store.getValidators('a')).toEqual({ etag: '"1"' });
      // The empty validators of an unknown binding are not shared state either.
      tryToMutate(() => ((readValidators as { etag?: string }).etag = 'x'));
      const none = await store.getValidators('unknown');
      tryToMutate(() => ((none as { etag?: string }).etag = 'x'));
      expect(await store.getValidators('unknown')).toEqual({});
    });

    it('stores a value as it was when the write was called, even if the caller changes it before the write resolves', async () => {
      const store = await fresh();
      const record = { list: [1, 2] };
      const writing = store.setRecord('a', 'r', record);
      record.list.push(3);
      await writing;
      expect(await store.getRecord('a', 'r')).toEqual({ list: [1, 2] });
      const document = { v: 1 };
      const saving = store.saveBase('a', { document, hash: 'h', savedAt: 1 });
      document.v = 2;
      await saving;
      expect((await store.getBase('a'))?.document).toEqual({ v: 1 });
    });
  });
}
