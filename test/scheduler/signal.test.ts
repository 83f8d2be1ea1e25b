import { describe, expect, it } from 'vitest';
import { JobError, SyncEngine, type SpecSource } from '../../src/index.js';
import { EventRecorder, MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { deferred } from '../support/deferred.js';
import { petstore } from '../support/docs.js';

/** A source that waits for `gate`, or rejects with its signal's reason when aborted; counts calls and keeps the signals it got. */
function gatedSource(gate: Promise<void>): SpecSource & { calls: number; signals: AbortSignal[] } {
  const source = {
    kind: 'gated',
    calls: 0,
    signals: [] as AbortSignal[],
    fetch({ signal }: { signal: AbortSignal }) {
      source.calls += 1;
      source.signals.push(signal);
      return new Promise<{ kind: 'document'; document: Record<string, unknown> }>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        void gate.then(() => resolve({ kind: 'document', document: petstore(1) }));
      });
    },
  };
  return source;
}

/** An engine with concurrency 1, a binding `blocker` that holds the queue until `gate` opens, and a binding `pets`. */
async function setUp() {
  const engine = new SyncEngine({ concurrency: 1 });
  const gate = deferred();
  const pets = new MemorySource(petstore(1));
  await engine.addSource({ id: 'blocker', source: gatedSource(gate.promise), target: new MemoryTarget() });
  await engine.addSource({ id: 'pets', source: pets, target: new MemoryTarget() });
  const blocked = engine.syncNow('blocker');
  await new Promise((r) => setImmediate(r));
  return { engine, gate, pets, blocked, recorder: new EventRecorder(engine) };
}

describe('syncNow and addSyncJob with { signal }', () => {
  it('removes a queued job when the only caller of syncNow aborts', async () => {
    const { engine, gate, pets, blocked, recorder } = await setUp();
    const controller = new AbortController();
    const run = engine.syncNow('pets', { signal: controller.signal });
    const queued = recorder.of('job:queued').at(-1)!.job;
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'JOB_CANCELLED', details: { sourceId: 'pets', jobId: queued.id, aborted: true } });
    expect(recorder.of('job:removed')).toMatchObject([{ reason: 'cancelled', job: { id: queued.id } }]);
    expect(engine.getSyncStatus().jobs.map((j) => j.sourceId)).toEqual(['blocker']);
    gate.resolve();
    await blocked;
    await engine.onIdle();
    expect(pets.fetchCount).toBe(0);
  });

  it('aborts a running job: the source sees its signal abort and the call rejects, without a retry or a breaker count', async () => {
    const engine = new SyncEngine({ retry: { maxRetries: 3 } });
    const source = gatedSource(new Promise(() => undefined));
    await engine.addSource({ id: 'slow', source, target: new MemoryTarget() });
    const recorder = new EventRecorder(engine);
    const controller = new AbortController();
    const run = engine.syncNow('slow', { signal: controller.signal });
    await new Promise((r) => setImmediate(r));
    expect(source.calls).toBe(1);
    controller.abort(new Error('user gave up'));
    await expect(run).rejects.toMatchObject({ code: 'JOB_CANCELLED', cause: new Error('user gave up') });
    expect(source.signals[0]!.aborted).toBe(true);
    expect(recorder.of('job:failed')).toMatchObject([{ error: { code: 'JOB_CANCELLED' } }]);
    expect(recorder.of('job:retrying')).toHaveLength(0);
    expect(engine.getSyncStatus().bindings[0]).toMatchObject({ consecutiveFailures: 0, circuit: 'closed' });
  });

  it('keeps a SyncError reason as it is', async () => {
    const { engine, gate, blocked } = await setUp();
    const controller = new AbortController();
    const run = engine.syncNow('pets', { signal: controller.signal });
    const reason = new JobError('ENGINE_STOPPED', 'shutting down');
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    gate.resolve();
    await blocked;
  });

  it('cancels a job queued by addSyncJob, and ignores the signal once the job ended', async () => {
    const { engine, gate, pets, blocked, recorder } = await setUp();
    const controller = new AbortController();
    const job = await engine.addSyncJob({ sourceId: 'pets', signal: controller.signal });
    controller.abort();
    expect(recorder.of('job:removed')).toMatchObject([{ reason: 'cancelled', job: { id: job.id } }]);
    expect(engine.getSyncStatus().jobs.map((j) => j.id)).not.toContain(job.id);
    gate.resolve();
    await blocked;

    const later = new AbortController();
    const done = await engine.addSyncJob({ sourceId: 'pets', signal: later.signal });
    await engine.onIdle();
    expect(recorder.of('job:completed').map((e) => e.job.id)).toContain(done.id);
    later.abort();
    expect(recorder.of('job:removed')).toHaveLength(1);
    expect(pets.fetchCount).toBe(1);
  });

  it('runs a job on when a request without a signal joined it; only the aborting caller rejects', async () => {
    const { engine, gate, pets, blocked } = await setUp();
    const controller = new AbortController();
    const mine = engine.syncNow('pets', { signal: controller.signal });
    const theirs = engine.syncNow('pets');
    controller.abort();
    await expect(mine).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    gate.resolve();
    await blocked;
    await expect(theirs).resolves.toMatchObject({ outcome: 'applied' });
    expect(pets.fetchCount).toBe(1);
  });

  it('cancels the job once every caller with a signal aborted', async () => {
    const { engine, gate, pets, blocked, recorder } = await setUp();
    const a = new AbortController();
    const b = new AbortController();
    const first = engine.syncNow('pets', { signal: a.signal });
    const second = engine.syncNow('pets', { signal: b.signal });
    a.abort();
    await expect(first).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    expect(recorder.of('job:removed')).toHaveLength(0);
    b.abort();
    await expect(second).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    expect(recorder.of('job:removed')).toMatchObject([{ reason: 'cancelled' }]);
    gate.resolve();
    await blocked;
    await engine.onIdle();
    expect(pets.fetchCount).toBe(0);
  });

  it('rejects an already aborted signal before any job is made, and a signal that is not one', async () => {
    const engine = new SyncEngine();
    await engine.addSource({ id: 'pets', source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    const recorder = new EventRecorder(engine);
    await expect(engine.syncNow('pets', { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    await expect(engine.addSyncJob({ sourceId: 'pets', signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    expect(recorder.of('job:queued')).toHaveLength(0);
    await expect(engine.syncNow('pets', { signal: { aborted: false } as never })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      details: { option: 'signal' },
    });
  });
});
