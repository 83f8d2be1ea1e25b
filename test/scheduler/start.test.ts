/**
 * The first sync of a binding runs when the engine starts (or when the
 * binding joins a running engine), not one interval later; `syncOnStart:
 * false` restores waiting for the first tick.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncEngine, defaultEngineConfig, httpSource, type SpecSource } from '../../src/index.js';
import { EventRecorder, ManualClock, MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { deferred } from '../support/deferred.js';
import { petstore } from '../support/docs.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('the first sync at start', () => {
  it('runs every binding once at startSync, at t=0 of a ManualClock, through a job with trigger `start`', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const engine = new SyncEngine({ clock, defaultIntervalMs: 10_000 });
    const recorder = new EventRecorder(engine);
    const sources = [new MemorySource(petstore(1)), new MemorySource(petstore(2))];
    await engine.addSource({ id: 'a', source: sources[0]!, target: new MemoryTarget() });
    await engine.addSource({ id: 'b', source: sources[1]!, target: new MemoryTarget(), intervalMs: 0 });
    await engine.startSync();
    await engine.onIdle();
    expect(clock.now()).toBe(t0);
    expect(sources.map((s) => s.fetchCount)).toEqual([1, 1]);
    expect(recorder.of('job:queued').map((e) => [e.job.sourceId, e.job.trigger])).toEqual([
      ['a', 'start'],
      ['b', 'start'],
    ]);
    expect(recorder.of('sync:applied').map((e) => e.sourceId)).toEqual(['a', 'b']);
    // The interval runs from the start: the next poll is one interval after it, not after the first sync.
    expect(engine.getSyncStatus().bindings[0]).toMatchObject({ nextPoll: t0 + 10_000 });
    await clock.advance(10_000);
    expect(sources.map((s) => s.fetchCount)).toEqual([2, 1]);
    await engine.stopSync();
  });

  it('syncs within a few hundred milliseconds of startSync with the real clock, against a real HTTP server', async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(petstore(2))));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`;
    const engine = new SyncEngine();
    const target = new MemoryTarget<{ paths: Record<string, unknown> }>();
    await engine.addSource({ id: 'api', source: httpSource({ url }), target });
    const applied = new Promise<number>((resolve) => engine.once('sync:applied', () => resolve(performance.now())));
    const gaveUp = new Promise<number>((resolve) => setTimeout(() => resolve(Number.POSITIVE_INFINITY), 2000).unref());
    const started = performance.now();
    await engine.startSync();
    const elapsed = (await Promise.race([applied, gaveUp])) - started;
    expect(elapsed).toBeLessThan(500);
    expect(Object.keys(target.value?.paths ?? {})).toEqual(['/pets', '/pets1']);
    await engine.stopSync();
  });

  it('with `syncOnStart: false`, waits one full interval as before', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock, syncOnStart: false });
    const source = new MemorySource(petstore(1));
    await engine.addSource({ id: 'a', source, target: new MemoryTarget() });
    await engine.startSync();
    await engine.onIdle();
    expect(source.fetchCount).toBe(0);
    await clock.advance(defaultEngineConfig.defaultIntervalMs - 1);
    expect(source.fetchCount).toBe(0);
    await clock.advance(1);
    expect(source.fetchCount).toBe(1);
    await engine.stopSync();
  });

  it('respects dependsOn: a dependent waits for its dependency and runs once, after it', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock });
    const recorder = new EventRecorder(engine);
    const gate = deferred<void>();
    const gateway = new MemorySource(petstore(1, 'Gateway'));
    const gated: SpecSource = { kind: 'gated', fetch: async (request) => (await gate.promise, gateway.fetch(request)) };
    const orders = new MemorySource(petstore(2, 'Orders'));
    await engine.addSource({ id: 'gateway', source: gated, target: new MemoryTarget() });
    await engine.addSource({ id: 'orders', source: orders, target: new MemoryTarget(), dependsOn: ['gateway'] });
    await engine.startSync();
    await clock.advance(0);
    expect(orders.fetchCount).toBe(0);
    expect(engine.getSyncStatus().jobs.map((j) => [j.sourceId, j.status])).toEqual([
      ['gateway', 'running'],
      ['orders', 'pending'],
    ]);
    gate.resolve();
    await engine.onIdle();
    expect(recorder.of('job:started').map((e) => e.job.sourceId)).toEqual(['gateway', 'orders']);
    // The dependency applied a change and triggered `orders` again: that trigger joined the pending start job.
    expect(orders.fetchCount).toBe(1);
    expect(recorder.of('job:coalesced').map((e) => [e.job.sourceId, e.trigger])).toEqual([['orders', 'dependency']]);
    await engine.stopSync();
  });

  it('runs a binding added to a running engine at once, and not one added to a stopped one', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock });
    await engine.startSync();
    const late = new MemorySource(petstore(1));
    await engine.addSource({ id: 'late', source: late, target: new MemoryTarget() });
    await engine.onIdle();
    expect(late.fetchCount).toBe(1);
    await engine.stopSync();
    const idle = new MemorySource(petstore(1));
    await engine.addSource({ id: 'idle', source: idle, target: new MemoryTarget() });
    await clock.advance(defaultEngineConfig.defaultIntervalMs);
    expect(idle.fetchCount).toBe(0);
  });

  it('a start while paused is remembered like a tick and runs on resume', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock });
    await engine.startSync();
    await engine.pauseSync();
    const source = new MemorySource(petstore(1));
    await engine.addSource({ id: 'a', source, target: new MemoryTarget() });
    await clock.advance(0);
    expect(source.fetchCount).toBe(0);
    await engine.resumeSync();
    await engine.onIdle();
    expect(source.fetchCount).toBe(1);
    await engine.stopSync();
  });
});

describe('the default interval and the option', () => {
  it('polls every 5 s by default', async () => {
    expect(defaultEngineConfig).toMatchObject({ defaultIntervalMs: 5000, syncOnStart: true });
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock });
    const source = new MemorySource(petstore(1));
    await engine.addSource({ id: 'a', source, target: new MemoryTarget() });
    await engine.startSync();
    await clock.advance(15_000);
    expect(source.fetchCount).toBe(4);
    await engine.stopSync();
  });

  it('validates `syncOnStart` like the other options and reports a live change', async () => {
    expect(() => new SyncEngine({ syncOnStart: 'yes' as unknown as boolean })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: 'Expected `syncOnStart` to be a boolean, got `"yes"` (string).' }),
    );
    const engine = new SyncEngine();
    const recorder = new EventRecorder(engine);
    await expect(engine.updateConfig({ syncOnStart: 1 as unknown as boolean })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(engine.getConfig().syncOnStart).toBe(true);
    await engine.updateConfig({ syncOnStart: false });
    expect(recorder.of('config:updated')[0]?.changed).toEqual(['syncOnStart']);
    expect(engine.getConfig().syncOnStart).toBe(false);
  });
});
