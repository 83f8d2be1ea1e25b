/**
 * One vocabulary in the events: every event about a job carries the same id
 * fields at the top (`sourceId`, `jobId`), scheduler events included, and
 * `sync:applied` says counts under count names.
 */
import { describe, expect, it } from 'vitest';
import { SourceError, SyncEngine, type SyncEngineEventName, type TargetContext } from '../../src/index.js';
import { EventRecorder, MemorySource, MemoryTarget } from '../../src/testing/index.js';

const doc = (summary: string) => ({
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1' },
  paths: { '/pets': { get: { summary, responses: { '200': { description: 'ok' } } } } },
});

describe('event id fields', () => {
  it("puts sourceId and jobId at the top of every job event, the job's own ids", async () => {
    const engine = new SyncEngine({ retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const recorder = new EventRecorder(engine);
    const source = new MemorySource(doc('one'));
    await engine.addSource({ id: 'pets', source, target: new MemoryTarget() });
    await engine.syncNow('pets');
    source.fail(new SourceError('SOURCE_FAILED', 'down', { retryable: true }));
    await engine.syncNow('pets').catch(() => undefined);
    // A job waiting behind a running one of the same binding, then removed.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    await engine.addSource({
      id: 'slow',
      source: { kind: 'gated', fetch: async () => (await gate, { kind: 'not-modified' }) },
      target: new MemoryTarget(),
    });
    const running = engine.syncNow('slow').catch(() => undefined);
    await recorder.waitFor('job:started', (e) => e.sourceId === 'slow');
    const queued = await engine.addSyncJob({ sourceId: 'slow' });
    await engine.removeSyncJob(queued.id);
    open();
    await running;

    const seen = new Set<SyncEngineEventName>();
    for (const { name, payload } of recorder.events) {
      const job = (payload as { job?: { id: string; sourceId: string } }).job;
      if (job === undefined) continue;
      seen.add(name);
      expect(payload, name).toMatchObject({ sourceId: job.sourceId, jobId: job.id });
    }
    expect([...seen].sort()).toEqual(['job:completed', 'job:failed', 'job:queued', 'job:removed', 'job:retrying', 'job:started']);
    for (const { name, payload } of recorder.events) {
      if ('jobId' in payload) expect(payload, name).toHaveProperty('sourceId');
    }
  });

  it('counts under changeCount and conflictCount in sync:applied, with the old names as deprecated aliases', async () => {
    const engine = new SyncEngine();
    const recorder = new EventRecorder(engine);
    const source = new MemorySource(doc('one'));
    const target = new MemoryTarget<ReturnType<typeof doc>>();
    await engine.addSource({ id: 'pets', source, target });
    await engine.syncNow('pets');
    target.value = doc('mine');
    const theirs = doc('theirs');
    source.set({
      ...theirs,
      paths: { ...theirs.paths, '/owners': { get: { summary: 'Owners', responses: { '200': { description: 'ok' } } } } },
    });
    const result = await engine.syncNow('pets');
    const applied = recorder.of('sync:applied').at(-1)!;
    expect(applied).toMatchObject({ changeCount: result.changes.length, conflictCount: 1 });
    expect(result.changes.length).toBeGreaterThan(0);
    expect(applied.changes).toBe(applied.changeCount);
    expect(applied.conflicts).toBe(applied.conflictCount);
  });
});

describe('adapter context id fields', () => {
  it('hands targets and resolvers the binding id as sourceId, with the deprecated bindingId the same', async () => {
    const seen: Array<{ where: string; sourceId: string; bindingId: string }> = [];
    const inner = new MemoryTarget<ReturnType<typeof doc>>();
    const engine = new SyncEngine({
      resolver: {
        name: 'recording',
        resolve: (_conflicts, context) => {
          seen.push({ where: 'resolver', sourceId: context.sourceId, bindingId: context.bindingId });
          return [];
        },
      },
    });
    const target = {
      kind: 'recording',
      render: (document: unknown) => inner.render(document),
      read: () => inner.read(),
      write: async (local: ReturnType<typeof doc>, context: TargetContext) => {
        seen.push({ where: 'target', sourceId: context.sourceId, bindingId: context.bindingId });
        await inner.write(local, context);
      },
    };
    const source = new MemorySource(doc('one'));
    await engine.addSource({ id: 'pets', source, target });
    await engine.syncNow('pets');
    inner.value = doc('mine');
    source.set(doc('theirs'));
    await engine.syncNow('pets');
    expect(seen.map((s) => s.where)).toEqual(['target', 'resolver']);
    expect(seen.every((s) => s.sourceId === 'pets' && s.bindingId === 'pets')).toBe(true);
  });
});
