/**
 * Property-based tests of the merge laws (DESIGN.md, behaviour 3) over
 * random OpenAPI-like documents with identity arrays and over arbitrary JSON.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { merge3, openApiIdentityRules, type IdentityRule } from '../../src/merge/index.js';
import { deepFreeze, droppedChanges, identities, mutate, ruleAt } from './support.js';
import { propertyRuns } from '../support/mutation.js';

const text = fc.constantFrom('alpha', 'beta', 'gamma', 'a/b', 'c~d');
const name = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Drop keys whose value is undefined (JSON has no undefined). */
const clean = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const schema = fc
  .record({
    type: fc.constantFrom('string', 'integer'),
    enum: maybe(fc.uniqueArray(fc.constantFrom('x', 'y', 'z', 'w'), { maxLength: 4 })),
  })
  .map(clean);
const parameter = fc
  .record({
    in: fc.constantFrom('query', 'header', 'path'),
    name,
    description: maybe(text),
    required: maybe(fc.boolean()),
    schema: maybe(schema),
  })
  .map(clean);
const parameters = fc.uniqueArray(parameter, {
  maxLength: 5,
  selector: (p) => `${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`,
});
const operation = fc
  .record({
    operationId: maybe(name),
    summary: maybe(text),
    parameters: maybe(parameters),
    tags: maybe(fc.uniqueArray(name, { maxLength: 3 })),
    security: maybe(
      fc.uniqueArray(fc.dictionary(name, fc.uniqueArray(text, { maxLength: 2 }), { maxKeys: 2 }), {
        maxLength: 2,
        selector: (s) => JSON.stringify(Object.entries(s).sort()),
      }),
    ),
    responses: fc.constant({ '200': { description: 'ok' } }),
  })
  .map(clean);
const pathItem = fc
  .record({ parameters: maybe(parameters), get: maybe(operation), post: maybe(operation), delete: maybe(operation) })
  .map(clean);
const openApiDoc = fc
  .record({
    openapi: fc.constant('3.1.0'),
    info: fc.record({ title: text, version: fc.constantFrom('1', '2'), description: maybe(text) }).map(clean),
    tags: maybe(fc.uniqueArray(fc.record({ name, description: maybe(text) }).map(clean), { maxLength: 4, selector: (t) => t.name })),
    servers: maybe(fc.uniqueArray(fc.record({ url: fc.constantFrom('https://a', 'https://b') }), { maxLength: 2, selector: (s) => s.url })),
    paths: fc.dictionary(fc.constantFrom('/pets', '/pets/{id}', '/a~b/c', '/users'), pathItem, { maxKeys: 3 }),
    components: maybe(
      fc.record({
        schemas: fc.dictionary(
          name,
          fc.record({
            type: fc.constant('object'),
            required: fc.uniqueArray(name, { maxLength: 3 }),
            properties: fc.dictionary(name, schema, { maxKeys: 3 }),
          }),
          { maxKeys: 2 },
        ),
      }),
    ),
    'x-misc': maybe(fc.jsonValue({ maxDepth: 2 })),
  })
  .map(clean);

/** base, and local and remote each derived from it by a few random edits. */
const triple = (doc: fc.Arbitrary<unknown>) =>
  fc
    .tuple(doc, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.boolean())
    .map(([base, s1, s2, n1, n2, clone]) => {
      const local = mutate(base, s1, n1);
      const remote = mutate(base, s2, n2);
      // Half the runs share untouched subtrees with base (as in-memory edits do), half are
      // separate copies (as documents read back from files are).
      return clone ? { base, local: structuredClone(local), remote: structuredClone(remote) } : { base, local, remote };
    });

const docs = fc.oneof({ weight: 3, arbitrary: openApiDoc }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) });
const runs = { numRuns: propertyRuns(400) };

describe('merge laws', () => {
  it('merge(base, local, base) = local, merge(base, base, remote) = remote, merge(base, x, x) = x, without conflicts', () => {
    fc.assert(
      fc.property(triple(docs), ({ base, local, remote }) => {
        deepFreeze([base, local, remote]);
        const copy = structuredClone(base);
        expect(merge3(base, local, copy)).toEqual({ merged: local, conflicts: [] });
        expect(merge3(base, copy, remote)).toEqual({ merged: remote, conflicts: [] });
        expect(merge3(base, local, structuredClone(local))).toEqual({ merged: local, conflicts: [] });
        expect(merge3(base, local, local).merged).toBe(local);
      }),
      runs,
    );
  });

  it('drops no local or remote change silently: each is in the result or under a conflict', () => {
    fc.assert(
      fc.property(triple(docs), ({ base, local, remote }) => {
        deepFreeze([base, local, remote]);
        const { merged, conflicts } = merge3(base, local, remote);
        expect(droppedChanges(base, local, merged, conflicts)).toEqual([]);
        expect(droppedChanges(base, remote, merged, conflicts)).toEqual([]);
      }),
      runs,
    );
  });

  it('draws the interesting cases often enough for these laws to mean something', () => {
    // A fixed seed: the laws above run on fresh random seeds, this pins the generator's reach.
    const samples = fc.sample(triple(docs), { numRuns: 400, seed: 20_261_125 });
    let withConflicts = 0;
    let inIdentityArrays = 0;
    let identityElementsMerged = 0;
    for (const { base, local, remote } of samples) {
      const { merged, conflicts } = merge3(base, local, remote);
      if (conflicts.length > 0) withConflicts++;
      if (conflicts.some((c) => /\/(parameters|tags|enum|required|security|servers)\/\d+/.test(c.path))) inIdentityArrays++;
      if (merged !== local && merged !== remote && JSON.stringify(merged).includes('"in":"query"')) identityElementsMerged++;
    }
    expect(withConflicts).toBeGreaterThan(40);
    expect(inIdentityArrays).toBeGreaterThan(3);
    expect(identityElementsMerged).toBeGreaterThan(40);
  });

  it('a conflict-free merge holds every local and every remote change', () => {
    let conflictFree = 0;
    fc.assert(
      fc.property(triple(docs), ({ base, local, remote }) => {
        const { merged, conflicts } = merge3(base, local, remote);
        fc.pre(conflicts.length === 0);
        conflictFree++;
        expect(droppedChanges(base, local, merged, [])).toEqual([]);
        expect(droppedChanges(base, remote, merged, [])).toEqual([]);
      }),
      runs,
    );
    expect(conflictFree).toBeGreaterThan(runs.numRuns / 4);
  });

  it('merging the result again changes nothing', () => {
    fc.assert(
      fc.property(triple(docs), ({ base, local, remote }) => {
        const { merged, conflicts } = merge3(base, local, remote);
        expect(merge3(structuredClone(remote), merged, remote)).toEqual({ merged, conflicts: [] });
        if (conflicts.length === 0) expect(merge3(base, merged, remote)).toEqual({ merged, conflicts: [] });
      }),
      runs,
    );
  });

  it('never produces two elements with one identity in an identity array', () => {
    fc.assert(
      fc.property(triple(openApiDoc), ({ base, local, remote }) => {
        const inputs = new Set<unknown>();
        const collect = (v: unknown): void => {
          if (Array.isArray(v)) inputs.add(v);
          if (typeof v === 'object' && v !== null) Object.values(v).forEach(collect);
        };
        collect(local);
        collect(remote);
        const { merged } = merge3(base, local, remote);
        const check = (v: unknown, path: string[]): void => {
          if (Array.isArray(v)) {
            const keys = identities(v, path, openApiIdentityRules);
            // An identity array either merged with unique identities, or is one input's array taken whole.
            if (!keys && identitiesWithDuplicates(v, path)) expect(inputs.has(v)).toBe(true);
            v.forEach((item, i) => check(item, [...path, String(i)]));
          } else if (typeof v === 'object' && v !== null) {
            for (const [k, item] of Object.entries(v)) check(item, [...path, k]);
          }
        };
        check(merged, []);
      }),
      runs,
    );
  });

  it('merges arbitrary unrelated JSON without mutating it and without losing a change', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }), (base, local, remote) => {
        deepFreeze([base, local, remote]);
        const { merged, conflicts } = merge3(base, local, remote, { rules: [] });
        const none: IdentityRule[] = [];
        expect(droppedChanges(base, local, merged, conflicts, none)).toEqual([]);
        expect(droppedChanges(base, remote, merged, conflicts, none)).toEqual([]);
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});

function identitiesWithDuplicates(items: readonly unknown[], path: readonly string[]): boolean {
  const key = ruleAt(path, openApiIdentityRules);
  if (!key) return false;
  const keys = items.map((i) => key(i));
  return keys.every((k) => k !== undefined) && new Set(keys).size !== keys.length;
}
