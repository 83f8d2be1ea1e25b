/**
 * The circuit breaker and the restart grace period under the BullMQ
 * scheduler, shared through Redis: engines (workers) of one deployment count
 * one binding's failures together, and every one of them sees its circuit open.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RedisStore, bullmqScheduler } from '../../src/cluster/index.js';
import { SourceError, SyncEngine, isSyncError, type SyncEngineEvents } from '../../src/index.js';
import { MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { startRedisServer, useRedisServer } from '../support/redis.js';

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

/** A source that fails (not retryable, or restarting) while `failing` is set, counting its fetches. */
function flaky(kind: 'down' | 'restarting' = 'down'): {
  source: MemorySource;
  fetches: () => number;
  heal: () => void;
  setFailing: (value: boolean) => void;
} {
  const source = new MemorySource(api(1));
  const fetch = source.fetch.bind(source);
  let failing = true;
  let count = 0;
  source.fetch = async (context) => {
    count += 1;
    if (failing) {
      throw kind === 'down'
        ? new SourceError('SOURCE_HTTP_STATUS', 'The source answered 500.', { retryable: false })
        : new SourceError('SOURCE_CONNECTION_REFUSED', 'Connection refused.', { retryable: true, restarting: true });
    }
    return fetch(context);
  };
  return {
    source,
    fetches: () => count,
    heal: () => (failing = false),
    setFailing: (value) => (failing = value),
  };
}

function engineFor(prefix: string, worker: string, extra: ConstructorParameters<typeof SyncEngine>[0] = {}): SyncEngine {
  const store = new RedisStore({ redis: server.current.url, prefix });
  stores.push(store);
  const engine = new SyncEngine({
    store,
    syncOnStart: false,
    ...extra,
    scheduler: bullmqScheduler({ url: server.current.url, prefix, workerId: worker }),
  });
  engines.push(engine);
  return engine;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (isSyncError(error) ? error.code : String(error)),
  );
}

describe('the circuit breaker under bullmqScheduler is shared through Redis', () => {
  it('counts the failures of every worker, and every worker sees the open circuit: manual runs refused, scheduled ticks skipped; after the cool-down a success closes it for all', async () => {
    const prefix = `circuit-test-${++prefixes}`;
    const circuitBreaker = { failureThreshold: 2, cooldownMs: 1500 };
    const a = engineFor(prefix, 'worker-a', { circuitBreaker });
    const b = engineFor(prefix, 'worker-b', { circuitBreaker });
    const { source, fetches, heal } = flaky();
    const events: Array<[string, string]> = [];
    for (const [name, engine] of [
      ['a', a],
      ['b', b],
    ] as const) {
      for (const event of ['circuit:opened', 'circuit:half-opened', 'circuit:closed'] as const)
        engine.on(event, (payload: SyncEngineEvents[typeof event]) => void events.push([name, `${event}:${payload.sourceId}`]));
      await engine.addSource({ id: 'pets', source, target: new MemoryTarget(), intervalMs: 100, maxRetries: 0 });
    }

    // One failure on each worker: two consecutive failures of the binding, the threshold.
    expect(await codeOf(a.syncNow('pets'))).toBe('SOURCE_HTTP_STATUS');
    expect(await codeOf(b.syncNow('pets'))).toBe('SOURCE_HTTP_STATUS');
    // Whichever worker ran the second failure opened it, once for the deployment.
    expect(events.map(([, event]) => event)).toEqual(['circuit:opened:pets']);
    expect(fetches()).toBe(2);

    // Both workers refuse a manual run without fetching, with the time left in retryAfterMs.
    for (const engine of [a, b]) {
      const error = await engine.syncNow('pets').then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(isSyncError(error) ? error.code : error).toBe('CIRCUIT_OPEN');
      if (isSyncError(error)) expect(error.retryAfterMs).toBeGreaterThan(0);
    }
    expect(a.getSyncStatus().bindings.find((s) => s.id === 'pets')?.circuit).toBe('open');

    // Polling starts on worker a while the circuit is open: its ticks (every 100 ms) are skipped, nothing fetched.
    const startedAt = Date.now();
    await a.startSync();
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(fetches()).toBe(2);

    // After the cool-down a tick goes through (half-open), succeeds, and closes the circuit for every worker.
    heal();
    await expect.poll(() => events.some(([, event]) => event === 'circuit:closed:pets'), { timeout: 5000, interval: 50 }).toBe(true);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1500 - 700);
    expect(events.filter(([, event]) => event === 'circuit:opened:pets')).toHaveLength(1);
    expect(events.filter(([, event]) => event === 'circuit:half-opened:pets')).toHaveLength(1);
    expect((await b.syncNow('pets')).outcome).toBe('unchanged');
  });

  it('a success on one worker resets the count of failures another worker saw', async () => {
    const prefix = `circuit-test-${++prefixes}`;
    const circuitBreaker = { failureThreshold: 2, cooldownMs: 60_000 };
    const a = engineFor(prefix, 'worker-a', { circuitBreaker });
    const b = engineFor(prefix, 'worker-b', { circuitBreaker });
    const { source, setFailing } = flaky();
    for (const engine of [a, b]) await engine.addSource({ id: 'pets', source, target: new MemoryTarget(), intervalMs: 0, maxRetries: 0 });
    expect(await codeOf(a.syncNow('pets'))).toBe('SOURCE_HTTP_STATUS');
    setFailing(false);
    expect((await b.syncNow('pets')).outcome).toBe('applied');
    setFailing(true);
    // One failure since the success: below the threshold, so the next run still runs (and fails), the one after is refused.
    expect(await codeOf(a.syncNow('pets'))).toBe('SOURCE_HTTP_STATUS');
    expect(await codeOf(a.syncNow('pets'))).toBe('SOURCE_HTTP_STATUS');
    expect(await codeOf(b.syncNow('pets'))).toBe('CIRCUIT_OPEN');
  });
});

describe('the restart grace period under bullmqScheduler', () => {
  it('waits out a restarting source: source:restarting once, quick retries that use no retry budget and open no circuit, then the sync succeeds', async () => {
    const prefix = `circuit-test-${++prefixes}`;
    const engine = engineFor(prefix, 'worker-a', {
      circuitBreaker: { failureThreshold: 1, cooldownMs: 60_000 },
      retry: { maxRetries: 0, restartGraceMs: 10_000 },
    });
    const { source, fetches, heal } = flaky('restarting');
    const restarting: Array<SyncEngineEvents['source:restarting']> = [];
    const retrying: number[] = [];
    let opened = 0;
    engine.on('source:restarting', (event) => void restarting.push(event));
    engine.on('job:retrying', (event) => void retrying.push(event.delayMs));
    engine.on('circuit:opened', () => void (opened += 1));
    await engine.addSource({ id: 'pets', source, target: new MemoryTarget(), intervalMs: 0 });
    const result = engine.syncNow('pets');
    await expect.poll(() => fetches(), { timeout: 5000, interval: 20 }).toBeGreaterThanOrEqual(3);
    expect(engine.getSyncStatus().bindings.find((s) => s.id === 'pets')?.restarting).toBeDefined();
    heal();
    expect((await result).outcome).toBe('applied');
    expect(restarting).toHaveLength(1);
    expect(restarting[0]!.graceEndsAt - restarting[0]!.since).toBe(10_000);
    expect(retrying.slice(0, 3)).toEqual([250, 500, 1000]);
    expect(opened).toBe(0);
    expect(engine.getSyncStatus().bindings.find((s) => s.id === 'pets')?.restarting).toBeUndefined();
  });

  it('past the grace period a restarting failure counts as usual: with no retries left the run fails and the circuit opens', async () => {
    const prefix = `circuit-test-${++prefixes}`;
    const engine = engineFor(prefix, 'worker-a', {
      circuitBreaker: { failureThreshold: 1, cooldownMs: 60_000 },
      retry: { maxRetries: 0, restartGraceMs: 600 },
    });
    const { source } = flaky('restarting');
    let opened = 0;
    engine.on('circuit:opened', () => void (opened += 1));
    await engine.addSource({ id: 'pets', source, target: new MemoryTarget(), intervalMs: 0 });
    const started = Date.now();
    expect(await codeOf(engine.syncNow('pets'))).toBe('SOURCE_CONNECTION_REFUSED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(opened).toBe(1);
  });
});

describe('the shared circuit when Redis is gone', () => {
  it('a manual trigger rejects with STORE_READ_FAILED naming the server, not with a bare client error', async () => {
    const own = await startRedisServer();
    try {
      const prefix = `circuit-test-${++prefixes}`;
      const store = new RedisStore({ redis: own.url, prefix });
      stores.push(store);
      const engine = new SyncEngine({ store, syncOnStart: false, scheduler: bullmqScheduler({ url: own.url, prefix }) });
      engines.push(engine);
      await engine.addSource({ id: 'pets', source: new MemorySource(api(1)), target: new MemoryTarget(), intervalMs: 0 });
      await own.stop();
      const error = await engine.syncNow('pets').then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(isSyncError(error) ? error.code : error).toBe('STORE_READ_FAILED');
      if (isSyncError(error)) expect(error.hint).toContain(`127.0.0.1:${own.port}`);
    } finally {
      await own.stop();
    }
  });
});
