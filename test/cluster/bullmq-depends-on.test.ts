/**
 * `dependsOn` under the BullMQ scheduler, with the in-process scheduler's
 * semantics: dependencies are checked when a binding is added, a
 * dependent's job waits while a dependency is busy on any worker, and a
 * dependency's applied sync triggers its dependents.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisStore, acquireLease, bullmqScheduler, releaseLease } from '../../src/cluster/index.js';
import { SyncEngine, isSyncError, type SyncEngineEvents } from '../../src/index.js';
import { MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { useRedisServer } from '../support/redis.js';

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

function engineFor(prefix: string, workerId: string): SyncEngine {
  const store = new RedisStore({ redis: server.current.url, prefix });
  stores.push(store);
  const engine = new SyncEngine({ store, syncOnStart: false, scheduler: bullmqScheduler({ url: server.current.url, prefix, workerId }) });
  engines.push(engine);
  return engine;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (isSyncError(error) ? error.code : String(error)),
  );
}

/** A source counting its fetches. */
function counted(version: number): { source: MemorySource; fetches: () => number } {
  const source = new MemorySource(api(version));
  const fetch = source.fetch.bind(source);
  let count = 0;
  source.fetch = async (context) => {
    count += 1;
    return fetch(context);
  };
  return { source, fetches: () => count };
}

describe('dependsOn under bullmqScheduler', () => {
  it('checks dependencies when a binding is added, and refuses to remove a binding others need', async () => {
    const engine = engineFor(`depends-test-${++prefixes}`, 'worker-a');
    const target = () => new MemoryTarget();
    expect(await codeOf(engine.addSource({ id: 'child', source: new MemorySource(api(1)), target: target(), dependsOn: ['base'] }))).toBe(
      'DEPENDENCY_MISSING',
    );
    expect(await codeOf(engine.addSource({ id: 'self', source: new MemorySource(api(1)), target: target(), dependsOn: ['self'] }))).toBe(
      'DEPENDENCY_CYCLE',
    );
    await engine.addSource({ id: 'base', source: new MemorySource(api(1)), target: target(), intervalMs: 0 });
    await engine.addSource({ id: 'child', source: new MemorySource(api(1)), target: target(), intervalMs: 0, dependsOn: ['base'] });
    expect(await codeOf(engine.removeSource('base'))).toBe('DEPENDENCY_MISSING');
    await engine.removeSource('child');
    await engine.removeSource('base');
  });

  it("an applied sync of a dependency triggers its dependents; a dependent's job waits while the dependency's lease is held on another worker", async () => {
    const prefix = `depends-test-${++prefixes}`;
    const a = engineFor(prefix, 'worker-a');
    const b = engineFor(prefix, 'worker-b');
    const base = counted(1);
    const child = counted(1);
    const queued: Array<[string, string]> = [];
    for (const engine of [a, b]) {
      engine.on('job:queued', (event: SyncEngineEvents['job:queued']) => void queued.push([event.job.sourceId, event.job.trigger]));
      await engine.addSource({ id: 'base', source: base.source, target: new MemoryTarget(), intervalMs: 0 });
      await engine.addSource({ id: 'child', source: child.source, target: new MemoryTarget(), intervalMs: 0, dependsOn: ['base'] });
    }
    await Promise.all([a.startSync(), b.startSync()]);

    // base applies its first sync: child follows with a dependency job.
    expect((await a.syncNow('base')).outcome).toBe('applied');
    await expect.poll(() => child.fetches(), { timeout: 5000, interval: 20 }).toBe(1);
    expect(queued).toContainEqual(['child', 'dependency']);

    // Another worker holds base's lease (a sync of base running there): child's job waits for it.
    const other = new Redis(server.current.url);
    try {
      const lease = await acquireLease(other, 'base', { prefix, owner: 'elsewhere', ttlMs: 30_000 });
      expect(lease).toBeDefined();
      const result = b.syncNow('child');
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(child.fetches()).toBe(1);
      await releaseLease(other, lease!);
      expect((await result).outcome).toBe('unchanged');
      expect(child.fetches()).toBe(2);
    } finally {
      other.disconnect();
    }
  });
});
