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
      {
        path: '/paths/~1pets/get/summary',
        take: 'value',
        value: { a: [1, 'x', null, true] },
        reason: 'mine chose value',
        resolver: 'mine',
      },
    ]);
  });

  it('drops a value member on local/remote decisions and keeps a resolver name already given', () => {
    const { valid } = validateDecisions(
      conflicts,
      [{ path: '/info/description', take: 'local', value: 5, reason: 'r', resolver: 'inner' }],
      'outer',
    );
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
    const bad: unknown[] = [
      () => 1,
      undefined,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      10n,
      Symbol('s'),
      new Date(0),
      new Map(),
      cyclic,
      { a: undefined },
      [1, , 3],
      { [Symbol('k')]: 1 },
    ];
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
    const outcome = await runResolver({ name: 'count', resolve: () => ((calls += 1), []) }, [], makeContext());
    expect(calls).toBe(0);
    expect(outcome).toEqual({ decisions: [], undecided: [], rejected: [] });
  });
});

describe('saying what arrived', () => {
  class Thing {}
  const withProto = (prototype: object | null) => Object.create(prototype) as object;

  it('jsonProblem names the place and the kind of what is not JSON', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const cases: [unknown, string][] = [
      [() => 1, 'the value is a function'],
      [undefined, 'the value is undefined (undefined)'],
      [Number.NaN, 'the value is NaN'],
      [Number.NEGATIVE_INFINITY, 'the value is -Infinity'],
      [10n, 'the value is 10n (bigint)'],
      [Symbol('s'), 'the value is symbol (symbol)'],
      [{ list: [new Date(0)] }, 'the value.list[0] is an instance of Date, not a plain object'],
      [new Thing(), 'the value is an instance of Thing, not a plain object'],
      [withProto(withProto(null)), 'the value is an instance of Object, not a plain object'],
      [withProto({ constructor: { name: '' } }), 'the value is an instance of Object, not a plain object'],
      [withProto({ constructor: { name: 5 } }), 'the value is an instance of Object, not a plain object'],
      [withProto({ constructor: {} }), 'the value is an instance of Object, not a plain object'],
      [cyclic, 'the value.self refers back to one of its ancestors (a cycle)'],
      [{ a: { b: undefined } }, 'the value.a.b is undefined'],
      [[1, , 3], 'the value[1] is a hole'],
      [[, 1], 'the value[0] is a hole'],
      [{ [Symbol('k')]: 1 }, 'the value has symbol keys'],
    ];
    for (const [value, problem] of cases) expect(jsonProblem(value), problem).toBe(problem);
    expect(jsonProblem([withProto(null)])).toBeUndefined();
    expect(isJsonValue({ a: [1, 'x', null, true] })).toBe(true);
    expect(isJsonValue({ a: [1, undefined] })).toBe(false);
  });

  it('validateDecisions says what each rejected decision held', () => {
    const cases: [unknown, string][] = [
      [5, 'expected a decision object, got 5 (number)'],
      ['x', 'expected a decision object, got "x" (string)'],
      [null, 'expected a decision object, got null'],
      [[], 'expected a decision object, got an array'],
      [() => 1, 'expected a decision object, got a function'],
      [{ path: 5 }, 'expected `path` to be a string, got 5 (number)'],
      [{ path: null }, 'expected `path` to be a string, got null'],
      [{ path: {} }, 'expected `path` to be a string, got an object (Object)'],
      [{ path: new Thing() }, 'expected `path` to be a string, got an object (Thing)'],
      [{ path: '/info/description', take: 5 }, 'expected `take` to be "local", "remote" or "value", got 5'],
      [{ path: '/info/description', take: 'x'.repeat(50) }, `got "${'x'.repeat(40)}…"`],
      [{ path: '/info/description', take: 'y'.repeat(40) }, `got "${'y'.repeat(40)}"`],
      [{ path: '/info/description', take: 3n }, 'got 3n'],
      [{ path: '/info/description', take: Symbol('s') }, 'got symbol'],
      [{ path: '/info/description', take: () => 1 }, 'got function'],
      [{ path: '/info/description', take: {} }, 'got an object'],
      [{ path: '/info/description', take: [] }, 'got an array'],
      [{ path: '/info/description', take: null }, 'got null'],
      [{ path: '/info/description' }, 'got undefined'],
      [{ path: '/info/description', take: 'local', reason: 5 }, 'expected `reason` to be a string, got 5 (number)'],
      [{ path: '/info/description', take: 'local', reason: withProto(null) }, 'expected `reason` to be a string, got an object (Object)'],
    ];
    for (const [decision, reason] of cases) {
      const { valid, rejected } = validateDecisions(conflicts, [decision], 'r');
      expect(valid, reason).toStrictEqual([]);
      expect(rejected[0]?.reason, reason).toContain(reason);
    }
  });
});
