import { describe, expect, it } from 'vitest';
import { isJsonValue, jsonProblem, runResolver, validateDecisions, type ConflictResolver } from '../../src/conflict/index.js';
import { isSyncError } from '../../src/errors.js';
import { conflict, makeContext } from './support.js';

const conflicts = [conflict('/info/description'), conflict('/paths/~1pets/get/summary')];

describe('validateDecisions', () => {
  it('keeps valid decisions, normalised, and fills resolver and a missing reason', () => {
    const { valid, rejected } = validateDecisions(
      conflicts,
      [
        { path: '/info/description', take: 'remote', reason: 'docs follow code', extra: 1 },
        { path: '/paths/~1pets/get/summary', take: 'value', value: { a: [1, 'x', null, true] } },
      ],
      'mine',
    );
    expect(rejected).toEqual([]);
    expect(valid).toEqual([
      { path: '/info/description', take: 'remote', reason: 'docs follow code', resolver: 'mine' },
      { path: '/paths/~1pets/get/summary', take: 'value', value: { a: [1, 'x', null, true] }, reason: 'mine chose value', resolver: 'mine' },
    ]);
  });

  it('drops a value member on local/remote decisions and keeps a resolver name already given', () => {
    const { valid } = validateDecisions(conflicts, [{ path: '/info/description', take: 'local', value: 5, reason: 'r', resolver: 'inner' }], 'outer');
    expect(valid).toEqual([{ path: '/info/description', take: 'local', reason: 'r', resolver: 'inner' }]);
  });

  it('rejects invented paths and duplicates (the first decision wins)', () => {
    const { valid, rejected } = validateDecisions(
      conflicts,
      [
        { path: '/info/title', take: 'local', reason: 'x' },
        { path: '/info/description', take: 'remote', reason: 'first' },
        { path: '/info/description', take: 'local', reason: 'second' },
      ],
      'r',
    );
    expect(valid.map((decision) => decision.reason)).toEqual(['first']);
    expect(rejected).toHaveLength(2);
    expect(rejected[0]?.reason).toContain('"/info/title" is not one of the 2 conflict(s)');
    expect(rejected[1]?.reason).toContain('more than once');
    expect(rejected[1]?.resolver).toBe('r');
  });

  it('rejects bad shapes: non-objects, bad take, bad reason, missing value', () => {
    const { valid, rejected } = validateDecisions(
      conflicts,
      [
        null,
        'local',
        [1],
        { take: 'local' },
        { path: '/info/description', take: 'mine' },
        { path: '/info/description', take: 'local', reason: 42 },
        { path: '/info/description', take: 'value' },
      ],
      'r',
    );
    expect(valid).toEqual([]);
    expect(rejected.map((item) => item.reason)).toEqual([
      'expected a decision object, got null',
      'expected a decision object, got "local" (string)',
      'expected a decision object, got an array',
      'expected `path` to be a string, got undefined (undefined)',
      'expected `take` to be "local", "remote" or "value", got "mine"',
      'expected `reason` to be a string, got 42 (number)',
      'take "value" needs a `value`, and the decision for "/info/description" has none',
    ]);
  });

  it('rejects values that are not JSON', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const bad: unknown[] = [() => 1, undefined, Number.NaN, Number.POSITIVE_INFINITY, 10n, Symbol('s'), new Date(0), new Map(), cyclic, { a: undefined }, [1, , 3], { [Symbol('k')]: 1 }];
    for (const value of bad) {
      const { valid, rejected } = validateDecisions(conflicts, [{ path: '/info/description', take: 'value', value, reason: 'r' }], 'r');
      expect(valid, String(typeof value)).toEqual([]);
      expect(rejected[0]?.reason).toContain('is not JSON');
    }
  });
});

describe('jsonProblem', () => {
  it('accepts plain JSON, shared references, null-prototype objects and deep nesting', () => {
    const shared = { x: 1 };
    const bare = Object.create(null) as Record<string, unknown>;
    bare['k'] = 'v';
    let deep: unknown = 'leaf';
    for (let index = 0; index < 50_000; index += 1) deep = [deep];
    for (const value of [null, 0, -1.5, '', 'x', true, [], {}, { a: shared, b: shared }, bare, deep]) {
      expect(jsonProblem(value)).toBeUndefined();
    }
  });

  it('names where the problem is', () => {
    expect(jsonProblem({ a: [1, { b: Number.NaN }] })).toBe('the value.a[1].b is NaN');
    expect(jsonProblem({ when: new Date(0) })).toBe('the value.when is an instance of Date, not a plain object');
    expect(isJsonValue({ f: () => 1 })).toBe(false);
  });
});

describe('runResolver', () => {
  it('records the resolver, keeps conflict order and lists the undecided and rejected', async () => {
    const resolver: ConflictResolver = {
      name: 'picky',
      resolve: () => [
        { path: '/paths/~1pets/get/summary', take: 'remote', reason: 'b' },
        { path: '/nowhere', take: 'local', reason: 'invented' },
      ],
    };
    const outcome = await runResolver(resolver, conflicts, makeContext());
    expect(outcome.decisions).toEqual([{ path: '/paths/~1pets/get/summary', take: 'remote', reason: 'b', resolver: 'picky' }]);
    expect(outcome.undecided.map((item) => item.path)).toEqual(['/info/description']);
    expect(outcome.rejected).toHaveLength(1);
  });

  it('wraps a throwing resolver (sync or async) as RESOLVER_FAILED, keeping the cause', async () => {
    const boom = new Error('boom');
    for (const resolve of [
      (): never => {
        throw boom;
      },
      async (): Promise<never> => Promise.reject(boom),
    ]) {
      const error: unknown = await runResolver({ name: 'bad', resolve }, conflicts, makeContext()).catch((caught: unknown) => caught);
      expect(isSyncError(error) && error.code).toBe('RESOLVER_FAILED');
      expect((error as Error).cause).toBe(boom);
      expect((error as Error).message).toContain('"bad"');
    }
  });

  it('fails with RESOLVER_FAILED when the answer is not an array', async () => {
    const resolver = { name: 'odd', resolve: () => ({ path: '/info/description' }) } as unknown as ConflictResolver;
    await expect(runResolver(resolver, conflicts, makeContext())).rejects.toMatchObject({ code: 'RESOLVER_FAILED' });
  });

  it('does not call the resolver when there is nothing to decide', async () => {
    let calls = 0;
    const outcome = await runResolver({ name: 'count', resolve: () => (calls += 1, []) }, [], makeContext());
    expect(calls).toBe(0);
    expect(outcome).toEqual({ decisions: [], undecided: [], rejected: [] });
  });
});
