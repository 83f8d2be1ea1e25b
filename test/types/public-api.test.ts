/**
 * Type tests: the public types are part of the contract. These assertions
 * are checked by `tsc` (npm test typechecks test/) and are no-ops at run time.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  SyncEngine,
  assertBindingId,
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

describe('public types', () => {
  it('types event names and payloads together', () => {
    const engine = new SyncEngine();
    engine.on('job:failed', (event) => {
      expectTypeOf(event.error).toEqualTypeOf<SerializedSyncError>();
      expectTypeOf(event.job).toEqualTypeOf<SyncJob>();
    });
    engine.on('sync:applied', (event) => {
      expectTypeOf(event.changes).toBeNumber();
      expectTypeOf(event.written).toBeBoolean();
    });
    // @ts-expect-error: not an event name
    engine.on('job:exploded', () => undefined);
    // @ts-expect-error: the payload of job:queued has no `error`
    engine.on('job:queued', (event) => event.error);
    expectTypeOf<keyof SyncEngineEvents>().toEqualTypeOf<Parameters<SyncEngine['on']>[0]>();
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
