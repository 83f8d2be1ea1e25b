/**
 * Properties of the collection merge every client target runs (the target's
 * `prepareMerge`, `merge3` with its identity rules, its `reconcile`), on
 * random OpenAPI documents, random user edits of every kind the model keeps
 * and random upstream changes, through the Hoppscotch target's render:
 * - nothing upstream changed: the result is the user's copy, no conflict;
 * - nothing the user changed: the result is upstream's render, no conflict;
 * - both: every user edit survives unless a conflict names that request,
 *   a deleted request stays deleted, the user's own requests stay, and what
 *   upstream added arrives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { merge3 } from '../../../src/merge/index.js';
import { hoppscotchTarget, type NormalisedCollection } from '../../../src/targets/hoppscotch/index.js';
import type { PreparedMerge, TargetContext } from '../../../src/targets/index.js';

type Json = Record<string, any>;

const PATHS = ['/pets', '/pets/{id}', '/store', '/users', '/users/{id}/orders', '/health'];
const METHODS = ['get', 'post', 'delete'];
const PARAMS = ['limit', 'sort', 'page'];
const TAGS = ['pets', 'store', 'users'];

interface Op {
  path: number;
  method: number;
  tag: number | null;
  params: boolean[];
}

const opArbitrary: fc.Arbitrary<Op> = fc.record({
  path: fc.nat(PATHS.length - 1),
  method: fc.nat(METHODS.length - 1),
  tag: fc.option(fc.nat(TAGS.length - 1), { nil: null }),
  params: fc.array(fc.boolean(), { minLength: PARAMS.length, maxLength: PARAMS.length }),
});

function document(ops: readonly Op[], server: string, summaries: ReadonlyMap<string, string> = new Map()): Json {
  const paths: Json = {};
  for (const op of ops) {
    const path = PATHS[op.path] as string;
    const method = METHODS[op.method] as string;
    const id = `${method}${path.replace(/[^a-z]/gi, '')}`;
    paths[path] ??= {};
    paths[path][method] = {
      operationId: id,
      summary: summaries.get(id) ?? `Op ${id}`,
      ...(op.tag === null ? {} : { tags: [TAGS[op.tag]] }),
      parameters: [
        ...(path.includes('{id}') ? [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] : []),
        ...PARAMS.filter((_p, i) => op.params[i]).map((name) => ({ name, in: 'query', schema: { type: 'string' }, example: 'x' })),
      ],
      responses: { '200': { description: 'ok' } },
    };
  }
  return { openapi: '3.0.3', info: { title: 'T', version: '1' }, servers: [{ url: server }], tags: TAGS.map((name) => ({ name })), paths };
}

type Edit = { kind: 'rename' | 'script' | 'header' | 'disable' | 'delete' | 'move'; at: number } | { kind: 'own' | 'baseUrl'; at: number };

const editArbitrary: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('rename', 'script', 'header', 'disable', 'delete', 'move', 'own', 'baseUrl'),
  at: fc.nat(20),
}) as fc.Arbitrary<Edit>;

/** The user's copy: `base` with the edits, and what each edit touched. */
function edited(base: NormalisedCollection, edits: readonly Edit[]) {
  const local = structuredClone(base) as NormalisedCollection;
  const keys = Object.keys(local.requests).filter((key) => !key.startsWith('user:'));
  const touched = new Map<string, Set<string>>();
  const note = (key: string, what: string) => touched.set(key, (touched.get(key) ?? new Set()).add(what));
  const deleted = new Set<string>();
  let own = 0;
  for (const edit of edits) {
    const key = keys[edit.at % Math.max(keys.length, 1)];
    const entry = key === undefined ? undefined : local.requests[key];
    if (edit.kind === 'own') {
      const ownKey = `user:mine ${++own}`;
      local.requests[ownKey] = {
        folder: null,
        request: { v: '17', name: `mine ${own}`, method: 'GET', endpoint: '<<baseUrl>>/mine', params: [] },
      };
      (local.requestOrder[''] ??= []).push(ownKey);
      continue;
    }
    if (edit.kind === 'baseUrl') {
      local.collection.variables = (local.collection.variables as Json[]).map((v) =>
        v.key === 'baseUrl' ? { ...v, initialValue: 'http://127.0.0.1:4010' } : v,
      );
      continue;
    }
    if (key === undefined || entry === undefined || deleted.has(key)) continue;
    const request = entry.request as Json;
    if (edit.kind === 'rename') request.name = `My ${String(request.name)}`;
    if (edit.kind === 'script') request.testScript = 'pw.expect(pw.response.status).toBe(200);';
    if (edit.kind === 'header')
      request.headers = [...(request.headers as Json[]), { key: 'X-Mine', value: '1', active: true, description: '' }];
    if (edit.kind === 'disable') {
      if ((request.params as Json[]).length === 0) continue;
      request.params = (request.params as Json[]).map((p, i) => (i === 0 ? { ...p, active: false } : p));
    }
    if (edit.kind === 'move') {
      const folders = Object.keys(local.folders).filter((f) => f !== entry.folder);
      const to = folders[edit.at % Math.max(folders.length, 1)] ?? null;
      if (to === entry.folder) continue;
      const from = entry.folder ?? '';
      local.requestOrder[from] = (local.requestOrder[from] ?? []).filter((k) => k !== key);
      (local.requestOrder[to ?? ''] ??= []).push(key);
      entry.folder = to;
    }
    if (edit.kind === 'delete') {
      delete local.requests[key];
      const from = entry.folder ?? '';
      local.requestOrder[from] = (local.requestOrder[from] ?? []).filter((k) => k !== key);
      deleted.add(key);
    }
    note(key, edit.kind);
  }
  return { local, touched, deleted, own };
}

function sync(base: NormalisedCollection, local: NormalisedCollection, remote: NormalisedCollection) {
  const target = hoppscotchTarget({ path: '/nonexistent/never-written.json' });
  const context = { sourceId: 's', bindingId: 's', signal: new AbortController().signal, records: {} } as unknown as TargetContext;
  const sides = { base, local, remote };
  const prepared = target.prepareMerge!(sides, context) as PreparedMerge<NormalisedCollection>;
  const { merged, conflicts } = merge3(prepared.base ?? base, prepared.local ?? local, remote, { rules: target.identityRules! });
  const result = target.reconcile!(
    merged,
    { base: prepared.base ?? base, local, remote, removal: 'remove', now: 0 },
    context,
  ) as NormalisedCollection;
  return { result, conflicts: [...(prepared.conflicts ?? []), ...conflicts] };
}

const render = (doc: Json): NormalisedCollection =>
  structuredClone(hoppscotchTarget({ path: '/nonexistent/x.json' }).render(doc, {} as TargetContext) as NormalisedCollection);

/** The same collection, with each order list and each map in a canonical order (order lists only order). */
function canonical(collection: NormalisedCollection): unknown {
  const sortKeys = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
  return {
    collection: collection.collection,
    folders: sortKeys(collection.folders),
    requests: sortKeys(collection.requests),
    requestOrder: sortKeys(Object.fromEntries(Object.entries(collection.requestOrder).filter(([, l]) => l.length > 0))),
    folderOrder: sortKeys(Object.fromEntries(Object.entries(collection.folderOrder).filter(([, l]) => l.length > 0))),
  };
}

const opsArbitrary = fc.uniqueArray(opArbitrary, { minLength: 1, maxLength: 8, selector: (op) => `${op.path} ${op.method}` });

describe('the collection merge, on random documents, edits and upstream changes', () => {
  it('gives the user’s copy when nothing changed upstream, with no conflict', () => {
    fc.assert(
      fc.property(opsArbitrary, fc.array(editArbitrary, { maxLength: 10 }), (ops, edits) => {
        const base = render(document(ops, 'https://a.example'));
        const { local } = edited(base, edits);
        const { result, conflicts } = sync(base, local, base);
        expect(conflicts).toEqual([]);
        expect(canonical(result)).toEqual(canonical(local));
      }),
      { numRuns: 150 },
    );
  });

  it('gives upstream’s render when the user changed nothing, with no conflict', () => {
    fc.assert(
      fc.property(opsArbitrary, opsArbitrary, (before, after) => {
        const base = render(document(before, 'https://a.example'));
        const remote = render(document(after, 'https://b.example'));
        const { result, conflicts } = sync(base, structuredClone(base), remote);
        expect(conflicts).toEqual([]);
        expect(canonical(result)).toEqual(canonical(remote));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps every user edit a conflict does not name, and brings what upstream added', () => {
    fc.assert(
      fc.property(
        opsArbitrary,
        opsArbitrary,
        fc.array(editArbitrary, { maxLength: 10 }),
        fc.boolean(),
        (before, added, edits, resummarise) => {
          const base = render(document(before, 'https://a.example'));
          // Upstream: some operations added, every summary changed or not, the server moved.
          const ops = [...before, ...added.filter((op) => !before.some((b) => b.path === op.path && b.method === op.method))];
          const summaries = new Map(resummarise ? Object.keys(base.requests).map((key) => [key, `New ${key}`] as const) : []);
          const remote = render(document(ops, 'https://b.example', summaries));
          const { local, touched, deleted, own } = edited(base, edits);
          const { result, conflicts } = sync(base, local, remote);
          const named = (key: string) => conflicts.some((c) => c.path.startsWith(`/requests/${key}/`) || c.path === `/requests/${key}`);
          // Conflicts only where the user and upstream changed the same request: never on variables, order or folders.
          for (const conflict of conflicts) {
            const key = /^\/requests\/([^/]+)/.exec(conflict.path)?.[1];
            expect(key !== undefined && (touched.has(key) || deleted.has(key)), conflict.path).toBe(true);
          }
          for (const [key, kinds] of touched) {
            if (named(key) || deleted.has(key)) continue;
            const mine = local.requests[key]!;
            const got = result.requests[key];
            expect(got, key).toBeDefined();
            const request = got!.request as Json;
            if (kinds.has('rename')) expect(request.name).toBe((mine.request as Json).name);
            if (kinds.has('script')) expect(request.testScript).toBe((mine.request as Json).testScript);
            if (kinds.has('header')) expect((request.headers as Json[]).some((h) => h.key === 'X-Mine')).toBe(true);
            if (kinds.has('disable')) expect((request.params as Json[])[0]?.active).toBe(false);
            if (kinds.has('move')) expect(got!.folder).toBe(mine.folder);
          }
          // Deleted stays deleted (upstream changing it is a conflict, decided for the local copy by default).
          for (const key of deleted) if (!named(key)) expect(result.requests[key], key).toBeUndefined();
          for (let n = 1; n <= own; n++) expect(result.requests[`user:mine ${n}`]).toBeDefined();
          for (const key of Object.keys(remote.requests)) if (!(key in base.requests)) expect(result.requests[key], key).toBeDefined();
          // The user's server URL wins; an untouched one follows upstream.
          const baseUrl = (result.collection.variables as Json[]).find((v) => v.key === 'baseUrl')?.initialValue;
          expect(baseUrl).toBe(edits.some((e) => e.kind === 'baseUrl') ? 'http://127.0.0.1:4010' : 'https://b.example');
        },
      ),
      { numRuns: 150 },
    );
  });
});
