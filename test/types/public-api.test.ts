/**
 * Type tests: the public types are part of the contract. These assertions
 * are checked by `tsc` (npm test typechecks test/) and are no-ops at run time.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  MemoryTarget,
  SyncEngine,
  SyncError,
  assertBindingId,
  resolveConflicts,
  runResolver,
  type HeldReason,
  type OpenApiDocument,
  type SpecChange,
  isSyncError,
  isValidBindingId,
  type SerializedSyncError,
  type SyncEngineEvents,
  type SyncErrorCode,
  type SyncJob,
  type SyncResult,
  type SyncTarget,
  type SpecSource,
} from '../../src/index.js';
import { parseCollection, type HoppCollection } from '../../src/targets/hoppscotch/public.js';
import { MemorySource } from '../../src/testing/index.js';

describe('public types', () => {
  it('types event names and payloads together', () => {
    const engine = new SyncEngine();
    engine.on('job:failed', (event) => {
      expectTypeOf(event.error).toEqualTypeOf<SerializedSyncError>();
      expectTypeOf(event.job).toEqualTypeOf<SyncJob>();
    });
    engine.on('sync:applied', (event) => {
      expectTypeOf(event.changeCount).toBeNumber();
      expectTypeOf(event.conflictCount).toBeNumber();
      expectTypeOf(event.written).toBeBoolean();
    });
    engine.on('spec:changed', (event) => {
      expectTypeOf(event.changes).toEqualTypeOf<readonly SpecChange[]>();
    });
    engine.on('sync:held', (event) => {
      expectTypeOf(event.reason).toEqualTypeOf<HeldReason>();
    });
    expectTypeOf<HeldReason>().toEqualTypeOf<'settling' | 'mass-removal' | 'breaking-changes'>();
    // @ts-expect-error: not an event name
    engine.on('job:exploded', () => undefined);
    // @ts-expect-error: the payload of job:queued has no `error`
    engine.on('job:queued', (event) => event.error);
    expectTypeOf<keyof SyncEngineEvents>().toEqualTypeOf<Parameters<SyncEngine['on']>[0]>();
  });

  it('puts the same id fields on every job event, scheduler events included', () => {
    const engine = new SyncEngine();
    for (const name of [
      'job:queued',
      'job:coalesced',
      'job:started',
      'job:retrying',
      'job:completed',
      'job:failed',
      'job:removed',
      'spec:changed',
      'sync:applied',
    ] as const) {
      engine.on(name, (event) => {
        expectTypeOf(event.sourceId).toBeString();
        expectTypeOf(event.jobId).toBeString();
      });
    }
  });

  it('types event errors as serialised data, so instanceof SyncError is flagged', () => {
    const engine = new SyncEngine();
    engine.on('job:failed', (event) => {
      expectTypeOf(event.error.code).toEqualTypeOf<SyncErrorCode>();
      if (event.error instanceof SyncError) {
        // @ts-expect-error: an event's error is never an instance; the branch is `never`
        void event.error.code;
      }
    });
    const live = new SyncError('SPEC_EMPTY', 'x');
    expectTypeOf(live.toJSON()).toEqualTypeOf<SerializedSyncError>();
  });

  it('types documents: OpenApiDocument, MemoryTarget and MemorySource over it', () => {
    const doc: OpenApiDocument = {
      openapi: '3.1.0',
      info: { title: 'T', version: '1' },
      paths: { '/a': { get: { responses: { '200': { description: 'ok' } } } } },
    };
    const target = new MemoryTarget();
    expectTypeOf(target.value).toEqualTypeOf<OpenApiDocument | undefined>();
    expectTypeOf(target.value?.paths?.['/a']?.get?.summary).toEqualTypeOf<string | undefined>();
    expectTypeOf(new MemoryTarget({ render: () => ({ n: 1 }) }).value).toEqualTypeOf<{ n: number } | undefined>();
    const checked = new MemorySource<OpenApiDocument>(doc);
    // @ts-expect-error: not an OpenAPI document (no openapi, no info)
    checked.set({ paths: {} });
    const loose = new MemorySource({ openapi: '3.0.3' });
    loose.set('not even an object, to test what the engine reports');
    expectTypeOf(loose.document).toEqualTypeOf<unknown>();
  });

  it('types results: SyncResult.changes is SpecChange[]', () => {
    expectTypeOf<SyncResult['changes']>().toEqualTypeOf<readonly SpecChange[]>();
  });

  it('types parseCollection by its input', () => {
    // Checked by the compiler only: these inputs are not valid collections at run time.
    const typesOnly = (text: string, input: unknown) => {
      expectTypeOf(parseCollection([{}])).toEqualTypeOf<HoppCollection[]>();
      expectTypeOf(parseCollection({ v: 12 })).toEqualTypeOf<HoppCollection>();
      expectTypeOf(parseCollection(JSON.parse(text))).toEqualTypeOf<HoppCollection | HoppCollection[]>();
      expectTypeOf(parseCollection(input)).toEqualTypeOf<HoppCollection | HoppCollection[]>();
    };
    expectTypeOf(typesOnly).toBeFunction();
  });

  it('keeps resolveConflicts as a deprecated alias of runResolver', () => {
    expectTypeOf(resolveConflicts).toEqualTypeOf(runResolver);
    expect(resolveConflicts).toBe(runResolver);
  });

  it('keeps the seed SyncJob fields', () => {
    expectTypeOf<SyncJob>().toMatchTypeOf<{
      id: string;
      sourceId: string;
      priority: 'high' | 'medium' | 'low';
      retryCount: number;
      maxRetries: number;
      lastAttempt: number | undefined;
      nextAttempt: number | undefined;
      status: 'pending' | 'running' | 'completed' | 'failed';
    }>();
  });

  it('returns typed results and narrows errors by brand', async () => {
    const engine = new SyncEngine();
    expectTypeOf(engine.syncNow).returns.resolves.toEqualTypeOf<SyncResult>();
    const error: unknown = new Error('x');
    if (isSyncError(error)) expectTypeOf(error.code).toEqualTypeOf<SyncErrorCode>();
  });

  it('narrows binding ids to strings', () => {
    const maybe: unknown = 'petstore';
    if (isValidBindingId(maybe)) expectTypeOf(maybe).toBeString();
    const checked: unknown = 'petstore';
    assertBindingId(checked);
    expectTypeOf(checked).toBeString();
  });

  it('lets users write adapters against the interfaces alone', () => {
    const source: SpecSource = { kind: 'mine', fetch: async () => ({ kind: 'not-modified' }) };
    const target: SyncTarget<{ n: number }> = {
      kind: 'mine',
      render: () => ({ n: 1 }),
      read: async () => undefined,
      write: async () => undefined,
    };
    expectTypeOf(source.fetch).returns.resolves.toHaveProperty('kind');
    expectTypeOf(target.render).returns.toEqualTypeOf<{ n: number } | Promise<{ n: number }>>();
  });
});
