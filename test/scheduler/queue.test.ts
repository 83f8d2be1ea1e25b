import { describe, expect, it } from 'vitest';
import { SyncEngine, functionSource, type SpecSource } from '../../src/index.js';
import { EventRecorder, MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { deferred } from '../support/deferred.js';
import { petstore } from '../support/docs.js';

/** A source whose fetch waits for `gate` and counts calls. */
function gatedSource(gate: Promise<void>): SpecSource & { calls: number } {
  const source = {
    kind: 'gated',
    calls: 0,
    async fetch() {
      source.calls += 1;
      await gate;
      return { kind: 'document' as const, document: petstore(1) };
    },
  };
  return source;
}

describe('priority, FIFO and coalescing', () => {
  it('runs high before medium before low under concurrency 1, FIFO within a priority', async () => {
    const engine = new SyncEngine({ concurrency: 1 });
    const gate = deferred();
    await engine.addSource({ id: 'blocker', source: gatedSource(gate.promise), target: new MemoryTarget() });
    for (const id of ['low1', 'med1', 'high1', 'low2', 'high2', 'med2']) {
      await engine.addSource({ id, source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    }
    const started: string[] = [];
    engine.on('job:started', (e) => {
      started.push(e.job.sourceId);
    });
    const blocker = engine.syncNow('blocker');
    await new Promise((r) => setImmediate(r));
    const runs = [
      engine.syncNow('low1', { priority: 'low' }),
      engine.syncNow('med1', { priority: 'medium' }),
      engine.syncNow('high1', { priority: 'high' }),
      engine.syncNow('low2', { priority: 'low' }),
      engine.syncNow('high2', { priority: 'high' }),
      engine.syncNow('med2', { priority: 'medium' }),
    ];
    expect(engine.getSyncStatus().jobs.map((j) => j.sourceId)).toEqual(['blocker', 'high1', 'high2', 'med1', 'med2', 'low1', 'low2']);
    gate.resolve();
    await Promise.all([blocker, ...runs]);
    expect(started).toEqual(['blocker', 'high1', 'high2', 'med1', 'med2', 'low1', 'low2']);
  });

  it('coalesces 100 triggers of a pending job into one run', async () => {
    const engine = new SyncEngine({ concurrency: 1 });
    const gate = deferred();
    const recorder = new EventRecorder(engine);
    await engine.addSource({ id: 'blocker', source: gatedSource(gate.promise), target: new MemoryTarget() });
    const source = new MemorySource(petstore(1));
    await engine.addSource({ id: 'pets', source, target: new MemoryTarget() });
    const blocker = engine.syncNow('blocker');
    const jobs = await Promise.all(Array.from({ length: 100 }, () => engine.addSyncJob({ sourceId: 'pets', priority: 'low' })));
    expect(new Set(jobs.map((j) => j.id)).size).toBe(1);
    expect(recorder.of('job:coalesced')).toHaveLength(99);
    gate.resolve();
    await blocker;
    await engine.onIdle();
    expect(source.fetchCount).toBe(1);
    expect(recorder.of('job:started').filter((e) => e.job.sourceId === 'pets')).toHaveLength(1);
  });

  it('raises the priority of a pending job when a higher-priority trigger joins it', async () => {
    const engine = new SyncEngine({ concurrency: 1 });
    const gate = deferred();
    await engine.addSource({ id: 'blocker', source: gatedSource(gate.promise), target: new MemoryTarget() });
    await engine.addSource({ id: 'a', source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    await engine.addSource({ id: 'b', source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    const order: string[] = [];
    engine.on('job:started', (e) => void order.push(e.job.sourceId));
    const blocker = engine.syncNow('blocker');
    await engine.addSyncJob({ sourceId: 'a', priority: 'low' });
    await engine.addSyncJob({ sourceId: 'b', priority: 'medium' });
    const joined = await engine.addSyncJob({ sourceId: 'a', priority: 'high' });
    expect(joined.priority).toBe('high');
    gate.resolve();
    await blocker;
    await engine.onIdle();
    expect(order).toEqual(['blocker', 'a', 'b']);
  });

  it('queues exactly one follow-up for triggers that arrive while a job runs', async () => {
    const engine = new SyncEngine();
    const gate = deferred();
    const source = gatedSource(gate.promise);
    await engine.addSource({ id: 'pets', source, target: new MemoryTarget() });
    const first = engine.syncNow('pets');
    await new Promise((r) => setImmediate(r));
    const followUps = await Promise.all(Array.from({ length: 20 }, () => engine.addSyncJob({ sourceId: 'pets' })));
    expect(new Set(followUps.map((j) => j.id)).size).toBe(1);
    const status = engine.getSyncStatus().jobs;
    expect(status.map((j) => j.status)).toEqual(['running', 'pending']);
    gate.resolve();
    await first;
    await engine.onIdle();
    expect(source.calls).toBe(2);
  });

  it('removes a pending job and rejects its waiters; refuses running and unknown jobs', async () => {
    const engine = new SyncEngine({ concurrency: 1 });
    const gate = deferred();
    const recorder = new EventRecorder(engine);
    await engine.addSource({ id: 'blocker', source: gatedSource(gate.promise), target: new MemoryTarget() });
    const source = new MemorySource(petstore(1));
    await engine.addSource({ id: 'pets', source, target: new MemoryTarget() });
    const blocker = engine.syncNow('blocker');
    const waiting = engine.syncNow('pets');
    const running = engine.getSyncStatus().jobs.find((j) => j.sourceId === 'blocker');
    const pending = engine.getSyncStatus().jobs.find((j) => j.sourceId === 'pets');
    await expect(engine.removeSyncJob(running!.id)).rejects.toMatchObject({ code: 'JOB_NOT_PENDING' });
    await engine.removeSyncJob(pending!.id);
    await expect(waiting).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    await expect(engine.removeSyncJob('job-999')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    expect(recorder.of('job:removed')[0]).toMatchObject({ reason: 'cancelled', job: { id: pending!.id } });
    gate.resolve();
    await blocker;
    await engine.onIdle();
    expect(source.fetchCount).toBe(0);
  });

  it('applies a concurrency change live', async () => {
    const engine = new SyncEngine({ concurrency: 1 });
    const gates = [deferred(), deferred(), deferred()];
    for (const [i, gate] of gates.entries())
      await engine.addSource({ id: `s${i}`, source: gatedSource(gate.promise), target: new MemoryTarget() });
    const runs = gates.map((_, i) => engine.syncNow(`s${i}`));
    await new Promise((r) => setImmediate(r));
    expect(engine.getMetrics().activeJobs).toBe(1);
    await engine.updateConfig({ concurrency: 3 });
    await new Promise((r) => setImmediate(r));
    expect(engine.getMetrics().activeJobs).toBe(3);
    for (const gate of gates) gate.resolve();
    await Promise.all(runs);
  });
});

describe('dependencies', () => {
  it('runs a binding after the ones it depends on, and triggers it when they apply a change', async () => {
    const engine = new SyncEngine({ concurrency: 4 });
    const gate = deferred();
    const order: string[] = [];
    engine.on('job:started', (e) => void order.push(`start:${e.job.sourceId}`));
    engine.on('job:completed', (e) => void order.push(`done:${e.job.sourceId}`));
    const upstream = gatedSource(gate.promise);
    const downstream = new MemorySource(petstore(1));
    await engine.addSource({ id: 'gateway', source: upstream, target: new MemoryTarget() });
    await engine.addSource({ id: 'client', source: downstream, target: new MemoryTarget(), dependsOn: ['gateway'] });
    const a = engine.syncNow('gateway');
    const b = engine.syncNow('client');
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['start:gateway']);
    gate.resolve();
    await Promise.all([a, b]);
    await engine.onIdle();
    expect(order.slice(0, 3)).toEqual(['start:gateway', 'done:gateway', 'start:client']);
    // gateway applied a change, which triggered client (coalesced with the manual trigger): one client run.
    expect(order.filter((x) => x === 'start:client')).toHaveLength(1);
  });
});

describe('function sources', () => {
  it('passes the abort signal to the function', async () => {
    let seen: AbortSignal | undefined;
    const engine = new SyncEngine();
    await engine.addSource({
      id: 'fn',
      source: functionSource(({ signal }) => {
        seen = signal;
        return petstore(1);
      }),
      target: new MemoryTarget(),
    });
    await engine.syncNow('fn');
    expect(seen).toBeInstanceOf(AbortSignal);
  });
});
