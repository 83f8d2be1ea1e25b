import { describe, expect, it } from 'vitest';
import { SourceError, SyncEngine, functionSource, isSyncError, type SyncError, type TargetContext } from '../../src/index.js';
import { EventRecorder, MemorySource, MemoryStore, MemoryTarget } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';

describe('one sync, end to end', () => {
  it('writes the remote on the first sync, then short-circuits an unchanged source before any parsing', async () => {
    const engine = new SyncEngine();
    const source = new MemorySource(petstore(2));
    const target = new MemoryTarget();
    const recorder = new EventRecorder(engine);
    await engine.addSource({ id: 'pets', source, target });

    const first = await engine.syncNow('pets');
    expect(first.outcome).toBe('applied');
    expect(first.written).toBe(true);
    expect(target.value).toEqual(petstore(2));
    recorder.expectSequence(['source:added', 'job:queued', 'job:started', 'spec:fetched', 'spec:changed', 'sync:applied', 'job:completed']);

    recorder.clear();
    const second = await engine.syncNow('pets');
    expect(second).toMatchObject({ outcome: 'unchanged', unchangedReason: 'not-modified', written: false });
    expect(recorder.names()).not.toContain('spec:changed');
    expect(target.writeCount).toBe(1);
  });

  it('ends as same-hash when the document only changed key order or formatting', async () => {
    let text = JSON.stringify(petstore(2));
    const engine = new SyncEngine();
    const target = new MemoryTarget();
    await engine.addSource({ id: 'pets', source: functionSource(() => text), target });
    await engine.syncNow('pets');
    const doc = petstore(2);
    text = JSON.stringify({ paths: doc.paths, info: doc.info, openapi: doc.openapi }, null, 4);
    const result = await engine.syncNow('pets');
    expect(result).toMatchObject({ outcome: 'unchanged', unchangedReason: 'same-hash' });
    expect(target.writeCount).toBe(1);
  });

  it('applies a changed remote and records the new base in the store', async () => {
    const store = new MemoryStore();
    const engine = new SyncEngine({ store });
    const source = new MemorySource(petstore(2));
    const target = new MemoryTarget();
    await engine.addSource({ id: 'pets', source, target });
    await engine.syncNow('pets');
    source.set(petstore(3));
    const result = await engine.syncNow('pets');
    expect(result.outcome).toBe('applied');
    expect(target.value).toEqual(petstore(3));
    const base = await store.getBase('pets');
    expect(base?.document).toEqual(petstore(3));
    expect(base?.hash).toBe(result.hash);
  });

  it('refuses bad input with a typed error and leaves the target untouched', async () => {
    let body = JSON.stringify(petstore(1));
    const engine = new SyncEngine({ retry: { maxRetries: 0 } });
    const target = new MemoryTarget();
    await engine.addSource({ id: 'pets', source: functionSource(() => body), target });
    await engine.syncNow('pets');
    const before = target.value;

    for (const [bad, code] of [
      ['<!DOCTYPE html><html><body>502 Bad Gateway</body></html>', 'SPEC_HTML'],
      ['', 'SPEC_EMPTY'],
      ['{"detail":"Not Found"}', 'SPEC_NOT_OPENAPI'],
      ['{"openapi": "3.0.0", "info": {', 'SPEC_PARSE'],
    ] as const) {
      body = bad;
      const error = (await engine.syncNow('pets').catch((e: unknown) => e)) as SyncError;
      expect(isSyncError(error), bad).toBe(true);
      expect(error.code).toBe(code);
      expect(error.hint).toBeTruthy();
      expect(target.value).toEqual(before);
    }
    body = JSON.stringify(petstore(2));
    await expect(engine.syncNow('pets')).resolves.toMatchObject({ outcome: 'applied' });
  });

  it('holds a sync that drops more than the allowed share of operations', async () => {
    const engine = new SyncEngine();
    const source = new MemorySource(petstore(10));
    const target = new MemoryTarget();
    const recorder = new EventRecorder(engine);
    await engine.addSource({ id: 'pets', source, target });
    await engine.syncNow('pets');
    source.set(petstore(4));
    const result = await engine.syncNow('pets');
    expect(result.outcome).toBe('held');
    expect(recorder.of('sync:held')[0]).toMatchObject({ reason: 'mass-removal', details: { removed: 6, before: 10 } });
    expect(target.value).toEqual(petstore(10));
  });

  it('keeps one binding running when another fails', async () => {
    const engine = new SyncEngine({ retry: { maxRetries: 0 } });
    const broken = new MemorySource();
    broken.fail(new SourceError('SOURCE_CONNECTION_REFUSED', 'refused', { retryable: false }));
    const healthy = new MemorySource(petstore(1));
    const target = new MemoryTarget();
    await engine.addSource({ id: 'broken', source: broken, target: new MemoryTarget() });
    await engine.addSource({ id: 'healthy', source: healthy, target });
    const [a, b] = await Promise.allSettled([engine.syncNow('broken'), engine.syncNow('healthy')]);
    expect(a.status).toBe('rejected');
    expect(b).toMatchObject({ status: 'fulfilled', value: { outcome: 'applied' } });
    const status = engine.getSyncStatus();
    expect(status.bindings.find((x) => x.id === 'broken')?.lastError?.code).toBe('SOURCE_CONNECTION_REFUSED');
  });

  it('validates bindings and refuses duplicates, unknown ids and dependency problems', async () => {
    const engine = new SyncEngine();
    const make = () => ({ source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    await engine.addSource({ id: 'a', ...make() });
    await expect(engine.addSource({ id: 'a', ...make() })).rejects.toMatchObject({ code: 'BINDING_EXISTS' });
    await expect(engine.addSource({ id: 'b', ...make(), dependsOn: ['zzz'] })).rejects.toMatchObject({ code: 'DEPENDENCY_MISSING' });
    await expect(engine.addSource({ id: 'c', ...make(), dependsOn: ['c'] })).rejects.toMatchObject({ code: 'DEPENDENCY_CYCLE' });
    await expect(engine.addSource({ id: 'd', ...make(), priority: 'urgent' as never })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(engine.addSource({ id: '', ...make() })).rejects.toMatchObject({ code: 'BINDING_ID_INVALID' });
    await expect(engine.syncNow('nope')).rejects.toMatchObject({ code: 'BINDING_NOT_FOUND' });
    await engine.addSource({ id: 'e', ...make(), dependsOn: ['a'] });
    await expect(engine.removeSource('a')).rejects.toMatchObject({ code: 'DEPENDENCY_MISSING' });
    await engine.removeSource('e');
    await engine.removeSource('a');
    expect(engine.getSyncStatus().bindings).toEqual([]);
  });

  it('reports a target that changes the frozen document it was given as a typed error with a hint, and keeps running', async () => {
    const engine = new SyncEngine({ retry: { maxRetries: 0 } });
    const written: unknown[] = [];
    const sloppy = {
      kind: 'sloppy',
      render(document: unknown) {
        (document as { info: { title: string } }).info.title = 'changed in place';
        return document;
      },
      async read() {
        return undefined;
      },
      async write(local: unknown) {
        written.push(local);
      },
    };
    const healthy = new MemoryTarget();
    await engine.addSource({ id: 'sloppy', source: new MemorySource(petstore(1)), target: sloppy });
    await engine.addSource({ id: 'fine', source: new MemorySource(petstore(1)), target: healthy });
    const error = (await engine.syncNow('sloppy').catch((e: unknown) => e)) as SyncError;
    expect(isSyncError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TARGET_ADAPTER_FAILED', retryable: false, details: { adapter: 'sloppy', bindingId: 'sloppy' } });
    expect(error.message).toContain('rendering the remote document');
    expect(error.hint).toMatch(/frozen/);
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(written).toEqual([]);
    expect(await engine.syncNow('fine')).toMatchObject({ outcome: 'applied' });

    // The same from write: not retryable (it would fail the same way again).
    const mutatingWrite = {
      kind: 'mutating-write',
      render: (document: unknown) => document,
      async read() {
        return undefined;
      },
      async write(local: unknown) {
        delete (local as { paths?: unknown }).paths;
      },
    };
    await engine.addSource({ id: 'write', source: new MemorySource(petstore(1)), target: mutatingWrite });
    const writeError = (await engine.syncNow('write').catch((e: unknown) => e)) as SyncError;
    expect(writeError).toMatchObject({ code: 'TARGET_ADAPTER_FAILED', retryable: false, details: { adapter: 'mutating-write' } });
    expect(writeError.hint).toMatch(/structuredClone/);
  });

  it('hands a target the remote of the last sync as the base of the next, the same frozen object', async () => {
    const engine = new SyncEngine();
    const seen: unknown[] = [];
    const inner = new MemoryTarget<unknown>();
    const target = {
      kind: 'recording',
      render(document: unknown) {
        seen.push(document);
        return inner.render(document);
      },
      read: () => inner.read(),
      write: (local: unknown, context: TargetContext) => inner.write(local, context),
    };
    const source = new MemorySource(petstore(1));
    await engine.addSource({ id: 'pets', source, target });
    await engine.syncNow('pets');
    expect(seen).toHaveLength(1);
    const firstRemote = seen[0];
    expect(Object.isFrozen(firstRemote)).toBe(true);
    source.set(petstore(2));
    await engine.syncNow('pets');
    // Second sync: the new remote, then the base, which is the first sync's remote itself.
    expect(seen).toHaveLength(3);
    expect(seen[2]).toBe(firstRemote);
    expect(seen[1]).not.toBe(firstRemote);
    // The store holds that same object (no copy) as the base document.
    expect((await engine.store.getBase('pets'))!.document).toBe(seen[1]);
  });
});
