import { describe, expect, expectTypeOf, it } from 'vitest';
import { SyncEngine } from '../../src/engine/index.js';
import {
  BindingError,
  ConfigError,
  ConflictError,
  errorFamilies,
  JobError,
  SourceError,
  SpecError,
  StoreError,
  syncErrorCodes,
  syncErrorOf,
  TargetError,
  type FamilyCode,
} from '../../src/errors.js';
import { functionSource, type SpecSource } from '../../src/sources/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';

const classes = { BindingError, JobError, SourceError, SpecError, ConflictError, TargetError, StoreError } as const;

describe('error families own their codes', () => {
  it('gives every code an owner, and only STALE_LEASE two', () => {
    const owners = new Map<string, string[]>();
    for (const [family, codes] of Object.entries(errorFamilies))
      for (const code of codes) owners.set(code, [...(owners.get(code) ?? []), family]);
    expect([...owners.keys()].sort()).toEqual([...syncErrorCodes].sort());
    expect([...owners].filter(([, families]) => families.length > 1)).toEqual([['STALE_LEASE', ['TargetError', 'StoreError']]]);
  });

  it("refuses another family's code, at compile time and at run time", () => {
    // @ts-expect-error: SOURCE_FAILED is a source code
    expect(() => new SpecError('SOURCE_FAILED', 'x')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', details: { family: 'SpecError', code: 'SOURCE_FAILED' } }),
    );
    for (const [family, Class] of Object.entries(classes)) {
      const foreign = syncErrorCodes.find((code) => !(errorFamilies[family as keyof typeof classes] as readonly string[]).includes(code))!;
      expect(() => new (Class as new (code: string, message: string) => Error)(foreign, 'x'), family).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
      for (const own of errorFamilies[family as keyof typeof classes])
        expect(new (Class as new (code: string, message: string) => Error)(own, 'x')).toMatchObject({ code: own, name: family });
    }
    expectTypeOf(new SpecError('SPEC_PARSE', 'x').code).toEqualTypeOf<FamilyCode<'SpecError'>>();
    expectTypeOf(new ConfigError('x').code).toEqualTypeOf<'CONFIG_INVALID'>();
  });

  it('builds an error of the family that owns a code', () => {
    expect(syncErrorOf('SPEC_PARSE', 'x')).toBeInstanceOf(SpecError);
    expect(syncErrorOf('SOURCE_DNS', 'x')).toBeInstanceOf(SourceError);
    expect(syncErrorOf('CONFIG_INVALID', 'x')).toBeInstanceOf(ConfigError);
    expect(syncErrorOf('STALE_LEASE', 'x')).toBeInstanceOf(TargetError);
  });
});

describe("an unknown throw from a user's adapter", () => {
  const quick = { retry: { maxRetries: 0 } };

  it('from a source is SOURCE_ADAPTER_FAILED naming it, retryable, with the cause', async () => {
    const engine = new SyncEngine(quick);
    const thrown = new TypeError('undefined is not a function');
    const source: SpecSource = { kind: 'my-gateway', fetch: () => Promise.reject(thrown) };
    await engine.addSource({ id: 'api', source, target: new MemoryTarget() });
    await expect(engine.syncNow('api')).rejects.toMatchObject({
      name: 'SourceError',
      code: 'SOURCE_ADAPTER_FAILED',
      retryable: true,
      cause: thrown,
      details: { adapter: 'my-gateway', bindingId: 'api' },
    });
    const sync: SpecSource = {
      kind: 'sync-thrower',
      fetch: () => {
        throw new RangeError('boom');
      },
    };
    await engine.addSource({ id: 'sync', source: sync, target: new MemoryTarget() });
    await expect(engine.syncNow('sync')).rejects.toMatchObject({ code: 'SOURCE_ADAPTER_FAILED', details: { adapter: 'sync-thrower' } });
    await engine.addSource({
      id: 'fn',
      source: functionSource(() => Promise.reject(new Error('db down')), { name: 'app.openapi' }),
      target: new MemoryTarget(),
    });
    await expect(engine.syncNow('fn')).rejects.toMatchObject({ code: 'SOURCE_ADAPTER_FAILED', details: { adapter: 'app.openapi' } });
  });

  it('keeps a SyncError an adapter threw as it is', async () => {
    const engine = new SyncEngine(quick);
    const typed = new SourceError('SOURCE_HTTP_STATUS', 'gone', { retryable: false });
    await engine.addSource({ id: 'api', source: { kind: 'typed', fetch: () => Promise.reject(typed) }, target: new MemoryTarget() });
    await expect(engine.syncNow('api')).rejects.toBe(typed);
  });

  it('from a target is TARGET_ADAPTER_FAILED naming it', async () => {
    const engine = new SyncEngine(quick);
    const target = {
      kind: 'my-postman',
      render: (document: unknown) => document,
      read: async () => {
        throw new Error('EACCES');
      },
      write: async () => undefined,
    };
    await engine.addSource({ id: 'api', source: new MemorySource(petstore(1)), target });
    await expect(engine.syncNow('api')).rejects.toMatchObject({
      name: 'TargetError',
      code: 'TARGET_ADAPTER_FAILED',
      details: { adapter: 'my-postman', bindingId: 'api' },
    });
  });

  it("from a target's snapshot is TARGET_ADAPTER_FAILED, and nothing is written", async () => {
    const engine = new SyncEngine(quick);
    class SnappingTarget extends MemoryTarget {
      snapshot(): Uint8Array {
        throw new Error('cannot stat');
      }
    }
    const target = new SnappingTarget();
    await engine.addSource({ id: 'api', source: new MemorySource(petstore(1)), target });
    await expect(engine.syncNow('api')).rejects.toMatchObject({
      code: 'TARGET_ADAPTER_FAILED',
      details: { adapter: 'memory', bindingId: 'api' },
    });
    expect(target.value).toBeUndefined();
  });

  it('from a target during a rollback is TARGET_ADAPTER_FAILED too', async () => {
    const engine = new SyncEngine(quick);
    class LockedTarget extends MemoryTarget {
      locked = false;
      override async read(...args: Parameters<MemoryTarget['read']>) {
        if (this.locked) throw new Error('EBUSY');
        return super.read(...args);
      }
    }
    const target = new LockedTarget();
    const source = new MemorySource(petstore(1));
    await engine.addSource({ id: 'api', source, target });
    await engine.syncNow('api');
    source.set(petstore(2));
    await engine.syncNow('api');
    target.locked = true;
    await expect(engine.rollback('api')).rejects.toMatchObject({
      code: 'TARGET_ADAPTER_FAILED',
      details: { adapter: 'memory', bindingId: 'api' },
    });
  });

  it('from a store is STORE_ADAPTER_FAILED naming its class; engine.store stays the store given', async () => {
    class FlakyStore extends MemoryStore {
      override async saveBase(): Promise<void> {
        throw new Error('connection lost');
      }
    }
    const store = new FlakyStore();
    const engine = new SyncEngine({ ...quick, store });
    expect(engine.store).toBe(store);
    await engine.addSource({ id: 'api', source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    await expect(engine.syncNow('api')).rejects.toMatchObject({
      name: 'StoreError',
      code: 'STORE_ADAPTER_FAILED',
      details: { adapter: 'FlakyStore', bindingId: 'api' },
    });
  });

  it('from a resolver is RESOLVER_FAILED naming it', async () => {
    const engine = new SyncEngine(quick);
    const titled = (title: string) => ({ ...petstore(1), info: { ...(petstore(1) as { info: object }).info, title } });
    const resolver = { name: 'team-rules', resolve: () => Promise.reject(new Error('bug')) };
    await engine.addSource({
      id: 'api',
      source: new MemorySource(titled('theirs')),
      target: new MemoryTarget<object>({ initial: titled('mine') }),
      resolver,
    });
    await expect(engine.syncNow('api')).rejects.toMatchObject({
      name: 'ConflictError',
      code: 'RESOLVER_FAILED',
      details: { adapter: 'team-rules' },
    });
  });
});
