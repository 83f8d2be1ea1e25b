/** The BullMQ scheduler: engines sharing bindings through one real redis-server. */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisStore, acquireLease, bullmqScheduler, type BullmqSchedulerOptions } from '../../src/cluster/index.js';
import { backoffDelay, defaultRetryPolicy } from '../../src/scheduler/index.js';
import { SourceError, SyncEngine, isSyncError, type SchedulerFactory, type SyncEngineEvents, type SyncResult } from '../../src/index.js';
import { MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { freePort, useRedisServer } from '../support/redis.js';

const server = useRedisServer();
let prefixes = 0;
const engines: SyncEngine[] = [];
const stores: RedisStore[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.stopSync()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

function api(version: number): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Pets', version: String(version) },
    paths: { '/pets': { get: { summary: `List pets, version ${version}`, responses: { '200': { description: 'ok' } } } } },
  };
}

/** One line per entry into and exit from a sync's critical section, in the order they happened. */
type LogLine = { binding: string; worker: string; at: 'enter' | 'exit'; outcome?: string };

/** The BullMQ scheduler with the engine's `run` hook wrapped: the log is written inside the critical section. */
function logged(options: BullmqSchedulerOptions, worker: string, log: LogLine[]): SchedulerFactory<SyncResult> {
  const factory = bullmqScheduler<SyncResult>(options);
  return (context) =>
    factory({
      ...context,
      hooks: {
        ...context.hooks,
        run: async (job, signal, runOptions) => {
          log.push({ binding: job.sourceId, worker, at: 'enter' });
          // Long enough that a second worker running the same binding would overlap.
          await new Promise((resolve) => setTimeout(resolve, 20));
          const result = await context.hooks.run(job, signal, runOptions);
          log.push({ binding: job.sourceId, worker, at: 'exit', outcome: result.outcome });
          return result;
        },
      },
    });
}

/** Throws unless, per binding, entries and exits alternate (no two syncs of one binding overlapped). */
function assertNoOverlap(log: readonly LogLine[]): void {
  const inside = new Map<string, string>();
  for (const line of log) {
    const holder = inside.get(line.binding);
    if (line.at === 'enter') {
      if (holder !== undefined) throw new Error(`${line.worker} entered "${line.binding}" while ${holder} was inside`);
      inside.set(line.binding, line.worker);
    } else {
      if (holder !== line.worker) throw new Error(`${line.worker} left "${line.binding}" that ${holder ?? 'nobody'} was inside`);
      inside.delete(line.binding);
    }
  }
}

describe('bullmqScheduler', () => {
  it('refuses bad options with CONFIG_INVALID', () => {
    for (const bad of [
      {},
      { url: 'http://x' },
      { url: 'redis://x', connection: {} },
      { url: 'redis://x', leaseTtlMs: 5 },
      { url: 'redis://x', prefix: 'a{b}' },
      { url: 'redis://x', workerId: '' },
      { url: 'redis://x', other: 1 },
    ]) {
      let code: string | undefined;
      try {
        bullmqScheduler(bad as BullmqSchedulerOptions);
      } catch (error) {
        code = isSyncError(error) ? error.code : 'not a SyncError';
      }
      expect(code, JSON.stringify(bad)).toBe('CONFIG_INVALID');
    }
  });

  it('two engines share three bindings: one job scheduler each, every change applied once, no two syncs of a binding at once', async () => {
    const prefix = `bullmq-test-${++prefixes}`;
    const log: LogLine[] = [];
    const ids = ['pets', 'owners', 'vets'];
    const sources = new Map(ids.map((id) => [id, new MemorySource(api(1))]));
    // Both engines stand for workers writing the same local copies.
    const targets = new Map(ids.map((id) => [id, new MemoryTarget()]));
    for (const worker of ['a', 'b']) {
      const store = new RedisStore({ redis: server.current.url, prefix });
      stores.push(store);
      const engine = new SyncEngine({
        store,
        scheduler: logged({ url: server.current.url, prefix, workerId: `worker-${worker}` }, worker, log),
      });
      engines.push(engine);
      for (const id of ids) await engine.addSource({ id, source: sources.get(id)!, target: targets.get(id)!, intervalMs: 60_000 });
    }
    await Promise.all(engines.map((engine) => engine.startSync()));

    const queue = new Queue('sync', { connection: new Redis(server.current.url, { maxRetriesPerRequest: null }), prefix });
    try {
      await expect.poll(() => queue.getJobSchedulersCount()).toBe(ids.length);
      await Promise.all(engines.map((engine) => engine.onIdle()));
      for (const id of ids) expect(targets.get(id)!.value).toEqual(api(1));

      for (let version = 2; version <= 4; version++) {
        for (const source of sources.values()) source.set(api(version));
        // Every engine asks for every binding twice at once.
        const results = await Promise.all(engines.flatMap((engine) => ids.flatMap((id) => [engine.syncNow(id), engine.syncNow(id)])));
        for (const result of results) expect(['applied', 'unchanged']).toContain(result.outcome);
        await Promise.all(engines.map((engine) => engine.onIdle()));
        for (const id of ids) expect(targets.get(id)!.value).toEqual(api(version));
      }
      // One applied sync per binding per version: 1 (the start) + 3 changes.
      for (const id of ids) {
        expect(log.filter((line) => line.binding === id && line.outcome === 'applied')).toHaveLength(4);
        expect(targets.get(id)!.writeCount).toBe(4);
      }
      assertNoOverlap(log);
      expect(await queue.getJobSchedulersCount()).toBe(ids.length);
    } finally {
      await queue.close();
    }
  });

  it('emits the job events through the transition table, and resolves syncNow with the result', async () => {
    const prefix = `bullmq-test-${++prefixes}`;
    const store = new RedisStore({ redis: server.current.url, prefix });
    stores.push(store);
    const engine = new SyncEngine({ store, scheduler: bullmqScheduler({ url: server.current.url, prefix }) });
    engines.push(engine);
    const seen: Array<[string, string]> = [];
    for (const event of ['job:queued', 'job:started', 'job:completed', 'job:failed'] as const) {
      engine.on(event, (payload: SyncEngineEvents[typeof event]) => void seen.push([event, payload.job.id]));
    }
    const source = new MemorySource(api(1));
    const target = new MemoryTarget();
    await engine.addSource({ id: 'pets', source, target, intervalMs: 0 });
    const result = await engine.syncNow('pets');
    expect(result.outcome).toBe('applied');
    expect(target.value).toEqual(api(1));
    expect(seen).toEqual([
      ['job:queued', result.jobId],
      ['job:started', result.jobId],
      ['job:completed', result.jobId],
    ]);
  });

  it('fences the store writes of a sync with its lease: once another worker took the lease, they are refused with STALE_LEASE and not retried', async () => {
    const prefix = `bullmq-test-${++prefixes}`;
    const store = new RedisStore({ redis: server.current.url, prefix });
    stores.push(store);
    const thief = new Redis(server.current.url);
    const factory = bullmqScheduler<SyncResult>({ url: server.current.url, prefix });
    const engine = new SyncEngine({
      store,
      scheduler: (context) =>
        factory({
          ...context,
          hooks: {
            ...context.hooks,
            run: async (job, signal) => {
              // The lease expires under this sync (as for a paused process) and another worker takes it.
              await thief.del(`${prefix}:{${job.sourceId}}:lease`);
              expect(await acquireLease(thief, job.sourceId, { prefix, owner: 'thief', ttlMs: 60_000 })).toBeDefined();
              return context.hooks.run(job, signal);
            },
          },
        }),
    });
    engines.push(engine);
    let retries = 0;
    engine.on('job:retrying', () => void (retries += 1));
    await engine.addSource({ id: 'pets', source: new MemorySource(api(1)), target: new MemoryTarget(), intervalMs: 0, maxRetries: 3 });
    try {
      const error = await engine.syncNow('pets').then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(isSyncError(error) ? error.code : error).toBe('STALE_LEASE');
      expect(await store.getBase('pets')).toBeUndefined();
      expect(retries).toBe(0);
    } finally {
      thief.disconnect();
    }
  });

  it("retries a retryable failure with our backoff (full jitter from the engine's random) as a BullMQ delay of the same job", async () => {
    const prefix = `bullmq-test-${++prefixes}`;
    const store = new RedisStore({ redis: server.current.url, prefix });
    stores.push(store);
    const random = () => 0.5;
    const retry = { ...defaultRetryPolicy, baseDelayMs: 200 };
    const engine = new SyncEngine({ store, random, retry, scheduler: bullmqScheduler({ url: server.current.url, prefix }) });
    engines.push(engine);
    const source = new MemorySource(api(1));
    let failures = 2;
    const fetch = source.fetch.bind(source);
    source.fetch = async (context) => {
      if (failures-- > 0) throw new SourceError('SOURCE_HTTP_STATUS', 'The source answered 503.', { retryable: true });
      return fetch(context);
    };
    const retrying: Array<{ jobId: string; delayMs: number; retryCount: number }> = [];
    engine.on(
      'job:retrying',
      (event) => void retrying.push({ jobId: event.job.id, delayMs: event.delayMs, retryCount: event.job.retryCount }),
    );
    await engine.addSource({ id: 'pets', source, target: new MemoryTarget(), intervalMs: 0 });
    const started = Date.now();
    const result = await engine.syncNow('pets');
    expect(result.outcome).toBe('applied');
    const delays = [1, 2].map((n) => backoffDelay(retry, n, random));
    expect(retrying).toEqual([
      { jobId: result.jobId, delayMs: delays[0], retryCount: 1 },
      { jobId: result.jobId, delayMs: delays[1], retryCount: 2 },
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(delays[0]! + delays[1]!);
  });

  it("pause holds the queued jobs of this worker, removeSyncJob removes a pending one, resume runs the rest; removeSource removes the binding's job scheduler", async () => {
    const prefix = `bullmq-test-${++prefixes}`;
    const store = new RedisStore({ redis: server.current.url, prefix });
    stores.push(store);
    const engine = new SyncEngine({ store, syncOnStart: false, scheduler: bullmqScheduler({ url: server.current.url, prefix }) });
    engines.push(engine);
    const removed: string[] = [];
    engine.on('job:removed', (event) => void removed.push(`${event.job.id}:${event.reason}`));
    const target = new MemoryTarget();
    await engine.addSource({ id: 'pets', source: new MemorySource(api(1)), target, intervalMs: 60_000 });
    await engine.startSync();
    const queue = new Queue('sync', { connection: new Redis(server.current.url, { maxRetriesPerRequest: null }), prefix });
    try {
      await expect.poll(() => queue.getJobSchedulersCount()).toBe(1);
      // syncOnStart is off: the schedule's first tick is one interval away, as in one process.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(target.writeCount).toBe(0);
      await engine.pauseSync();
      const first = await engine.addSyncJob({ sourceId: 'pets' });
      expect(engine.getSyncStatus().jobs.map((job) => [job.id, job.status])).toEqual([[first.id, 'pending']]);
      await engine.removeSyncJob(first.id);
      expect(removed).toEqual([`${first.id}:cancelled`]);
      expect(await queue.getJob(first.id)).toBeUndefined();

      const second = await engine.addSyncJob({ sourceId: 'pets', priority: 'low' });
      expect((await queue.getJob(second.id))?.priority).toBe(3);
      // A higher priority joins the pending job and raises it.
      expect((await engine.addSyncJob({ sourceId: 'pets', priority: 'high' })).id).toBe(second.id);
      expect((await queue.getJob(second.id))?.priority).toBe(1);
      expect(engine.getSyncStatus().jobs.map((job) => [job.id, job.priority])).toEqual([[second.id, 'high']]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(target.writeCount).toBe(0);
      expect(await (await queue.getJob(second.id))?.getState()).toBe('prioritized');
      await engine.resumeSync();
      await expect.poll(() => target.writeCount).toBe(1);
      await engine.onIdle();

      await engine.removeSource('pets');
      expect(await queue.getJobSchedulersCount()).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it('fails addSource with STORE_READ_FAILED naming the URL, without the password, when Redis is not there', async () => {
    const url = `redis://:secret@127.0.0.1:${await freePort()}`;
    const engine = new SyncEngine({ scheduler: bullmqScheduler({ url }) });
    engines.push(engine);
    const started = Date.now();
    const error = await engine.addSource({ id: 'pets', source: new MemorySource(api(1)), target: new MemoryTarget() }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isSyncError(error) ? error.code : error).toBe('STORE_READ_FAILED');
    if (!isSyncError(error)) return;
    expect(error.hint).toContain(url.replace(':secret@', ''));
    expect(JSON.stringify(error.toJSON())).not.toContain('secret');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
  it('stopSync on an engine that was never started closes its Redis connections (the process can exit)', async () => {
    const prefix = `bullmq-test-${++prefixes}`;
    const admin = new Redis(server.current.url);
    try {
      const clients = async () => ((await admin.client('LIST')) as string).trim().split('\n').length;
      const before = await clients();
      const engine = new SyncEngine({ scheduler: bullmqScheduler({ url: server.current.url, prefix }) });
      await engine.addSource({ id: 'pets', source: new MemorySource(api(1)), target: new MemoryTarget(), intervalMs: 0 });
      // Jobs run before a start: the scheduler connected its queue, worker and lease clients.
      expect((await engine.syncNow('pets')).outcome).toBe('applied');
      expect(await clients()).toBeGreaterThan(before);
      const stopped: unknown[] = [];
      engine.on('engine:stopped', (event) => void stopped.push(event));
      await engine.stopSync();
      await expect.poll(clients).toBe(before);
      // Nothing ran, so nothing stopped: no event, and the engine works again on the next call.
      expect(stopped).toEqual([]);
      expect((await engine.syncNow('pets')).outcome).toBe('unchanged');
      await engine.stopSync();
      await expect.poll(clients).toBe(before);
    } finally {
      admin.disconnect();
    }
  });
});
