import { describe, expect, it } from 'vitest';
import { SyncEngine, defaultEngineConfig, type SpecSource } from '../../src/index.js';
import { EventRecorder, ManualClock, MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { deferred } from '../support/deferred.js';
import { petstore } from '../support/docs.js';

describe('stopSync', () => {
  it('aborts a job mid-flight and settles when it has finished', async () => {
    const engine = new SyncEngine();
    const recorder = new EventRecorder(engine);
    const entered = deferred();
    const source: SpecSource = {
      kind: 'slow',
      fetch: ({ signal }) =>
        new Promise((_, reject) => {
          entered.resolve();
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
    };
    const target = new MemoryTarget();
    await engine.addSource({ id: 'slow', source, target });
    await engine.startSync();
    const run = engine.syncNow('slow').catch((e: unknown) => e);
    await entered.promise;
    await engine.stopSync();
    expect(await run).toMatchObject({ code: 'ENGINE_STOPPED' });
    expect(recorder.of('engine:stopped')[0]).toMatchObject({ unfinished: 0 });
    expect(recorder.of('job:failed')[0]?.error.code).toBe('ENGINE_STOPPED');
    expect(target.writeCount).toBe(0);
    expect(engine.state).toBe('idle');
    // No retry was scheduled for an aborted job.
    expect(recorder.of('job:retrying')).toHaveLength(0);
  });

  it('gives up waiting after the grace period when a job ignores its signal', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock, stopGracePeriodMs: 5000 });
    const release = deferred();
    const entered = deferred();
    const source: SpecSource = {
      kind: 'stubborn',
      fetch: async () => {
        entered.resolve();
        await release.promise;
        return { kind: 'document', document: petstore(1) };
      },
    };
    await engine.addSource({ id: 'stubborn', source, target: new MemoryTarget() });
    const recorder = new EventRecorder(engine);
    const run = engine.syncNow('stubborn').catch((e: unknown) => e);
    await entered.promise;
    let stopped = false;
    const stopping = engine.stopSync().then(() => (stopped = true));
    await clock.advance(4999);
    expect(stopped).toBe(false);
    await clock.advance(1);
    await stopping;
    expect(recorder.of('engine:stopped')[0]).toMatchObject({ unfinished: 1 });
    release.resolve();
    expect(await run).toMatchObject({ code: 'ENGINE_STOPPED' });
  });

  it('removes pending jobs, refuses new ones while stopping, and can start again', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock, concurrency: 1, syncOnStart: false });
    const gate = deferred();
    const recorder = new EventRecorder(engine);
    await engine.addSource({
      id: 'a',
      source: { kind: 'gated', fetch: async () => (await gate.promise, { kind: 'document', document: petstore(1) }) },
      target: new MemoryTarget(),
    });
    await engine.addSource({ id: 'b', source: new MemorySource(petstore(1)), target: new MemoryTarget(), intervalMs: 1000 });
    await engine.startSync();
    const a = engine.syncNow('a').catch((e: unknown) => e);
    const b = engine.syncNow('b').catch((e: unknown) => e);
    const stopping = engine.stopSync();
    await expect(engine.syncNow('b')).rejects.toMatchObject({ code: 'ENGINE_STOPPED' });
    gate.resolve();
    await stopping;
    expect(await b).toMatchObject({ code: 'ENGINE_STOPPED' });
    expect(recorder.of('job:removed')[0]).toMatchObject({ reason: 'engine-stopped', job: { sourceId: 'b' } });
    await a;
    // Timers are gone: advancing time runs nothing.
    await clock.advance(10_000);
    expect(recorder.of('job:started').filter((e) => e.job.sourceId === 'b')).toHaveLength(0);
    await engine.startSync();
    await clock.advance(1000);
    expect(recorder.of('job:started').filter((e) => e.job.sourceId === 'b')).toHaveLength(1);
    await engine.stopSync();
  });
});

describe('pauseSync and resumeSync', () => {
  it('runs what came due while paused once per binding, not once per missed tick', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock, syncOnStart: false });
    const recorder = new EventRecorder(engine);
    const sources = [new MemorySource(petstore(1)), new MemorySource(petstore(2)), new MemorySource(petstore(3))];
    await engine.addSource({ id: 'fast', source: sources[0]!, target: new MemoryTarget(), intervalMs: 1000 });
    await engine.addSource({ id: 'slow', source: sources[1]!, target: new MemoryTarget(), intervalMs: 4000 });
    await engine.addSource({ id: 'rare', source: sources[2]!, target: new MemoryTarget(), intervalMs: 60_000 });
    await engine.startSync();
    await clock.advance(1000);
    expect(sources[0]!.fetchCount).toBe(1);
    await engine.pauseSync();
    expect(engine.state).toBe('paused');
    await clock.advance(10_000);
    expect(sources.map((s) => s.fetchCount)).toEqual([1, 0, 0]);
    await engine.resumeSync();
    await engine.onIdle();
    expect(sources.map((s) => s.fetchCount)).toEqual([2, 1, 0]);
    expect(recorder.of('engine:resumed')[0]?.dueBindings.sort()).toEqual(['fast', 'slow']);
    await engine.stopSync();
  });

  it('keeps queued jobs while paused and runs them on resume', async () => {
    const engine = new SyncEngine({ syncOnStart: false });
    const source = new MemorySource(petstore(1));
    await engine.addSource({ id: 'pets', source, target: new MemoryTarget(), intervalMs: 0 });
    await engine.startSync();
    await engine.pauseSync();
    const run = engine.syncNow('pets');
    await new Promise((r) => setTimeout(r, 20));
    expect(source.fetchCount).toBe(0);
    expect(engine.getSyncStatus().jobs[0]?.status).toBe('pending');
    await engine.resumeSync();
    await expect(run).resolves.toMatchObject({ outcome: 'applied' });
    await engine.stopSync();
  });
});

describe('listeners', () => {
  it('reports a throwing or rejecting listener as an error event and carries on', async () => {
    const engine = new SyncEngine();
    const errors: string[] = [];
    engine.on('error', (e) => void errors.push(`${e.error.code}:${String(e.error.details.event)}`));
    engine.on('job:started', () => {
      throw new Error('listener bug');
    });
    engine.on('spec:fetched', async () => {
      throw new Error('async listener bug');
    });
    let completed = 0;
    engine.on('job:completed', () => void (completed += 1));
    await engine.addSource({ id: 'pets', source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    await expect(engine.syncNow('pets')).resolves.toMatchObject({ outcome: 'applied' });
    await new Promise((r) => setImmediate(r));
    expect(completed).toBe(1);
    expect(errors.sort()).toEqual(['LISTENER_FAILED:job:started', 'LISTENER_FAILED:spec:fetched']);
  });

  it('supports once and off', async () => {
    const engine = new SyncEngine();
    let once = 0;
    let always = 0;
    const listener = () => void (always += 1);
    engine.once('job:completed', () => void (once += 1));
    engine.on('job:completed', listener);
    await engine.addSource({ id: 'pets', source: new MemorySource(petstore(1)), target: new MemoryTarget() });
    await engine.syncNow('pets');
    engine.off('job:completed', listener);
    await engine.syncNow('pets');
    expect([once, always]).toEqual([1, 1]);
    expect(engine.listenerCount('job:completed')).toBe(0);
  });
});

describe('configuration', () => {
  it('rejects an invalid update with a typed error and changes nothing', async () => {
    const engine = new SyncEngine();
    const recorder = new EventRecorder(engine);
    const before = engine.getConfig();
    for (const bad of [
      { concurrency: 0 },
      { concurrency: 1.5 },
      { defaultIntervalMs: -1 },
      { retry: { maxRetries: -1 } },
      { retry: { baseDelayMs: 5000, maxDelayMs: 10 } },
      { bogus: 1 },
      { concurrency: '2' },
    ]) {
      await expect(engine.updateConfig(bad as never), JSON.stringify(bad)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    }
    const error = await engine.updateConfig({ concurrency: 0 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Expected `concurrency` to be an integer from 1 and up, got `0` (number).');
    expect(engine.getConfig()).toEqual(before);
    expect(recorder.of('config:updated')).toHaveLength(0);
    expect(() => new SyncEngine({ concurrency: -3 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('applies a valid update live and emits config:updated with what changed', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock, defaultIntervalMs: 10_000 });
    const recorder = new EventRecorder(engine);
    const source = new MemorySource(petstore(1));
    await engine.addSource({ id: 'pets', source, target: new MemoryTarget() });
    await engine.startSync();
    const config = await engine.updateConfig({ defaultIntervalMs: 1000, retry: { maxRetries: 7 } });
    expect(config).toEqual({ ...defaultEngineConfig, defaultIntervalMs: 1000, retry: { ...defaultEngineConfig.retry, maxRetries: 7 } });
    expect(recorder.of('config:updated')[0]?.changed).toEqual(['defaultIntervalMs', 'retry.maxRetries']);
    await clock.advance(3000);
    // The start sync, then one per second of the new interval.
    expect(source.fetchCount).toBe(4);
    await engine.updateConfig({ defaultIntervalMs: 1000 });
    expect(recorder.of('config:updated')).toHaveLength(1);
    await engine.stopSync();
  });
});
