import { describe, expect, it } from 'vitest';
import {
  chain,
  manual,
  preferLocal,
  preferRemote,
  runResolver,
  rules,
  type ConflictDecision,
  type ConflictResolver,
} from '../../src/conflict/index.js';
import { ConfigError, ConflictError, isSyncError, JobError } from '../../src/errors.js';
import { conflict, makeContext } from './support.js';

const conflicts = [
  conflict('/info/description'),
  conflict('/paths/~1pets/get/description'),
  conflict('/paths/~1pets/post/summary', 'x', undefined, 'changed-vs-deleted'),
];

describe('preferLocal / preferRemote', () => {
  it('preferLocal keeps every local value and says so', async () => {
    const outcome = await runResolver(preferLocal(), conflicts, makeContext());
    expect(outcome.undecided).toEqual([]);
    expect(outcome.decisions.map((decision) => [decision.take, decision.resolver])).toEqual([
      ['local', 'prefer-local'],
      ['local', 'prefer-local'],
      ['local', 'prefer-local'],
    ]);
    expect(outcome.decisions[2]?.reason).toBe('prefer-local: kept the local value (changed-vs-deleted)');
  });

  it('preferRemote takes every remote value', async () => {
    const outcome = await runResolver(preferRemote(), conflicts, makeContext());
    expect(outcome.decisions.every((decision) => decision.take === 'remote' && decision.resolver === 'prefer-remote')).toBe(true);
    expect(outcome.decisions).toHaveLength(3);
  });
});

describe('chain', () => {
  it('gives each later resolver only what is still open, and the first decision wins', async () => {
    const seen: string[][] = [];
    const spy = (name: string, take: 'local' | 'remote', decide: (path: string) => boolean): ConflictResolver => ({
      name,
      resolve(open) {
        seen.push(open.map((item) => item.path));
        return open.filter((item) => decide(item.path)).map((item) => ({ path: item.path, take, reason: name }));
      },
    });
    const resolver = chain(
      spy('first', 'remote', (path) => path.endsWith('description')),
      spy('second', 'local', () => true),
      spy('third', 'remote', () => true),
    );
    expect(resolver.name).toBe('chain(first, second, third)');
    const outcome = await runResolver(resolver, conflicts, makeContext());
    expect(seen).toEqual([
      ['/info/description', '/paths/~1pets/get/description', '/paths/~1pets/post/summary'],
      ['/paths/~1pets/post/summary'],
    ]);
    expect(outcome.decisions.map((decision) => [decision.path, decision.take, decision.resolver])).toEqual([
      ['/info/description', 'remote', 'first'],
      ['/paths/~1pets/get/description', 'remote', 'first'],
      ['/paths/~1pets/post/summary', 'local', 'second'],
    ]);
  });

  it('passes a conflict on when an earlier resolver answered it invalidly', async () => {
    const invalid: ConflictResolver = {
      name: 'invalid',
      resolve: (open) => open.map((item) => ({ path: item.path, take: 'sideways' }) as unknown as ConflictDecision),
    };
    const outcome = await runResolver(chain(invalid, preferRemote()), conflicts, makeContext());
    expect(outcome.decisions.map((decision) => decision.resolver)).toEqual(['prefer-remote', 'prefer-remote', 'prefer-remote']);
  });

  it('leaves undecided what no resolver decides', async () => {
    const outcome = await runResolver(chain(rules([{ match: { path: '/info/**' }, take: 'remote' }])), conflicts, makeContext());
    expect(outcome.decisions.map((decision) => decision.path)).toEqual(['/info/description']);
    expect(outcome.undecided).toHaveLength(2);
  });

  it('fails as a whole when a member throws', async () => {
    const thrower: ConflictResolver = {
      name: 'thrower',
      resolve: () => {
        throw new TypeError('bug');
      },
    };
    const error: unknown = await runResolver(chain(preferLocal(), thrower), conflicts, makeContext()).then(
      () => 'no error',
      (caught: unknown) => caught,
    );
    // preferLocal decided everything, so the thrower is never asked.
    expect(error).toBe('no error');
    await expect(runResolver(chain(thrower, preferLocal()), conflicts, makeContext())).rejects.toMatchObject({ code: 'RESOLVER_FAILED' });
  });

  it('rejects an empty chain or a non-resolver at construction', () => {
    expect(() => chain()).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => chain(preferLocal(), {} as ConflictResolver)).toThrow(/chain\(\) argument 2/);
  });
});

describe('manual', () => {
  it("returns the person's decisions and sends what they left to the fallback", async () => {
    const waits: number[] = [];
    const context = makeContext({
      awaitDecisions: async (timeoutMs) => {
        waits.push(timeoutMs);
        return [
          { path: '/info/description', take: 'remote', reason: 'I checked' },
          { path: '/invented', take: 'remote', reason: 'typo' },
        ];
      },
    });
    const outcome = await runResolver(manual({ timeoutMs: 5_000, fallback: preferRemote() }), conflicts, context);
    expect(waits).toEqual([5_000]);
    expect(outcome.undecided).toEqual([]);
    expect(outcome.decisions.map((decision) => [decision.path, decision.take, decision.resolver])).toEqual([
      ['/info/description', 'remote', 'manual'],
      ['/paths/~1pets/get/description', 'remote', 'prefer-remote'],
      ['/paths/~1pets/post/summary', 'remote', 'prefer-remote'],
    ]);
    expect(outcome.decisions[1]?.reason).toMatch(/^not answered; prefer-remote/);
  });

  it('falls back to preferLocal for everything on timeout', async () => {
    const context = makeContext({ awaitDecisions: async () => undefined });
    const outcome = await runResolver(manual({ timeoutMs: 10 }), conflicts, context);
    expect(outcome.decisions.every((decision) => decision.take === 'local' && decision.resolver === 'prefer-local')).toBe(true);
    expect(outcome.decisions[0]?.reason).toMatch(/^no answer within 10 ms; /);
  });

  it('explains that it needs the engine when awaitDecisions is missing', async () => {
    const error: unknown = await runResolver(manual(), conflicts, makeContext()).catch((caught: unknown) => caught);
    expect(isSyncError(error) && error.code).toBe('RESOLVER_FAILED');
    expect((error as Error).message).toContain('needs the engine');
    expect(isSyncError(error) && error.hint).toContain('SyncEngine');
  });

  it('validates its options', () => {
    for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => manual({ timeoutMs })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
    expect(() => manual({ fallback: { name: 'half' } as unknown as ConflictResolver })).toThrow(/fallback/);
  });
});

describe('strategies: refusals say what arrived', () => {
  const invalid = (got: string) =>
    expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(got), hint: expect.stringMatching(/\S/) });

  it('chain() needs a resolver, and each argument must be one', () => {
    expect(() => chain()).toThrow(invalid('got none'));
    expect(() => chain(preferLocal(), null as never)).toThrow(invalid('chain() argument 2 to be a resolver'));
    expect(() => chain(null as never)).toThrow(invalid('got null'));
    expect(() => chain(5 as never)).toThrow(invalid('got number'));
    expect(() => chain({ resolve: () => [] } as never)).toThrow(invalid('got object'));
    expect(() => chain({ name: 'x' } as never)).toThrow(invalid('got object'));
    expect(() => chain(Object.assign(() => [], { resolve: () => [] }) as never)).toThrow(invalid('got function'));
  });

  it('manual() needs a positive number of milliseconds and a resolver as fallback', () => {
    for (const [timeoutMs, got] of [
      [0, 'got 0 (number)'],
      [-1, 'got -1 (number)'],
      [Number.NaN, 'got NaN (number)'],
      [Number.POSITIVE_INFINITY, 'got Infinity (number)'],
      ['5', 'got 5 (string)'],
    ] as const) {
      expect(() => manual({ timeoutMs: timeoutMs as number })).toThrow(invalid(got));
    }
    expect(() => manual({ fallback: {} as never })).toThrow(invalid('manual() `fallback` to be a resolver'));
    expect(manual().name).toBe('manual');
  });

  it('waits 15 minutes for a person by default', async () => {
    const { DEFAULT_MANUAL_TIMEOUT_MS } = await import('../../src/conflict/strategies.js');
    expect(DEFAULT_MANUAL_TIMEOUT_MS).toBe(15 * 60 * 1000);
    let waited: number | undefined;
    await runResolver(
      manual(),
      [conflict('/a')],
      makeContext({
        awaitDecisions: async (timeoutMs) => {
          waited = timeoutMs;
          return undefined;
        },
      }),
    );
    expect(waited).toBe(900_000);
  });

  it('manual() outside the engine fails with the binding and job it was called for', async () => {
    await expect(runResolver(manual(), [conflict('/a')], makeContext())).rejects.toMatchObject({
      code: 'RESOLVER_FAILED',
      hint: expect.stringMatching(/\S/),
      details: { sourceId: 'pets', jobId: 'job-1' },
    });
  });

  it('chain() returns only decisions, and none for conflicts already decided', async () => {
    const outcome = await runResolver(chain(preferRemote(), preferLocal()), conflicts, makeContext());
    expect(outcome.rejected).toStrictEqual([]);
    expect(outcome.decisions.map((decision) => decision.resolver)).toStrictEqual(['prefer-remote', 'prefer-remote', 'prefer-remote']);
  });
});

describe('resolveConflicts', () => {
  const throwing = (error: unknown): ConflictResolver => ({
    name: 'thrower',
    resolve: () => {
      throw error;
    },
  });

  it('lets the engine’s own stop and cancel errors through, and wraps every other error', async () => {
    for (const error of [
      new ConflictError('RESOLVER_FAILED', 'stop'),
      new JobError('JOB_CANCELLED', 'stop'),
      new JobError('ENGINE_STOPPED', 'stop'),
    ]) {
      await expect(runResolver(throwing(error), [conflict('/a')], makeContext())).rejects.toBe(error);
    }
    const config = new ConfigError('a library error of another kind');
    await expect(runResolver(throwing(config), [conflict('/a')], makeContext())).rejects.toMatchObject({
      code: 'RESOLVER_FAILED',
      cause: config,
    });
    const lookalike = Object.assign(new Error('not ours'), { code: 'JOB_CANCELLED' });
    await expect(runResolver(throwing(lookalike), [conflict('/a')], makeContext())).rejects.toMatchObject({
      code: 'RESOLVER_FAILED',
      cause: lookalike,
      message: expect.stringContaining('"thrower"'),
      hint: expect.stringMatching(/\S/),
      details: { resolver: 'thrower', sourceId: 'pets', jobId: 'job-1', conflicts: 1 },
    });
  });

  it('says what came back instead of an array', async () => {
    for (const [answer, got] of [
      [null, 'returned null'],
      [{ decisions: [] }, 'returned object'],
      ['local', 'returned string'],
      [undefined, 'returned undefined'],
    ] as const) {
      await expect(runResolver({ name: 'odd', resolve: () => answer as never }, [conflict('/a')], makeContext())).rejects.toMatchObject({
        code: 'RESOLVER_FAILED',
        message: expect.stringContaining(got),
        hint: expect.stringMatching(/\S/),
        details: { resolver: 'odd', sourceId: 'pets', jobId: 'job-1' },
      });
    }
  });

  it('puts decisions in the order of the conflicts, whatever the order of the answer', async () => {
    const reversed: ConflictResolver = {
      name: 'reversed',
      resolve: (open) => [...open].reverse().map((item) => ({ path: item.path, take: 'remote', reason: 'r' })),
    };
    const outcome = await runResolver(reversed, conflicts, makeContext());
    expect(outcome.decisions.map((decision) => decision.path)).toStrictEqual(conflicts.map((item) => item.path));
  });
});
