/**
 * Issue 12, item 8, at the scheduler: a failure marked `restarting` (what
 * the HTTP source reports for a refused or reset connection on a loopback
 * address) is polled quickly and does not count toward the circuit breaker
 * for `restartGraceMs`; after that, the normal rules apply. Also the breaker's
 * own law: a success resets its count of consecutive failures.
 */
import { describe, expect, it } from 'vitest';
import { SourceError, SyncEngine, type SyncEngineOptions } from '../../src/index.js';
import { CircuitBreaker } from '../../src/scheduler/index.js';
import { EventRecorder, ManualClock, MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';

/** What the HTTP source throws while a local dev server restarts. */
function restartingError(): SourceError {
  return new SourceError('SOURCE_CONNECTION_REFUSED', 'GET http://127.0.0.1:8000/openapi.json: connection refused by 127.0.0.1:8000.', {
    restarting: true,
  });
}

/** The same failure from a host that is not this machine: no restart is assumed. */
function remoteError(): SourceError {
  return new SourceError('SOURCE_CONNECTION_REFUSED', 'GET http://api.example.com/openapi.json: connection refused by api.example.com.');
}

/** The settings of `api-live-sync watch`: poll every 2 s, 2 retries, breaker after 5 failures, 10 s cool-down. */
const WATCH: SyncEngineOptions = {
  random: () => 0.5,
  retry: { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 5000 },
  circuitBreaker: { failureThreshold: 5, cooldownMs: 10_000 },
};

async function started(options: SyncEngineOptions = {}, binding: { restartGraceMs?: number } = {}) {
  const clock = new ManualClock();
  const engine = new SyncEngine({ clock, ...WATCH, ...options });
  const recorder = new EventRecorder(engine);
  const source = new MemorySource(petstore(1));
  const target = new MemoryTarget();
  await engine.addSource({ id: 'api', source, target, intervalMs: 2000, watch: false, ...binding });
  await engine.startSync();
  await engine.syncNow('api');
  recorder.clear();
  return { clock, engine, recorder, source, target };
}

describe('a restarting source (connection refused on a loopback address)', () => {
  it('is polled every 250 ms growing to 1 s, never opens the breaker within the grace period, and applies as soon as it answers', async () => {
    const { clock, engine, recorder, source, target } = await started();
    source.fail(restartingError());
    const down = clock.now();
    // The dev server restarts for 5 s: with the old rules, 2 polls × 3 attempts opened the breaker.
    await clock.advance(2000);
    const since = clock.now();
    const restarting = recorder.of('source:restarting');
    expect(restarting).toHaveLength(1);
    expect(restarting[0]).toMatchObject({
      sourceId: 'api',
      since,
      graceEndsAt: since + 30_000,
      error: { code: 'SOURCE_CONNECTION_REFUSED', restarting: true },
    });
    expect(engine.getSyncStatus().bindings[0]).toMatchObject({
      circuit: 'closed',
      consecutiveFailures: 0,
      restarting: { since, graceEndsAt: since + 30_000 },
    });

    await clock.advance(down + 7000 - clock.now());
    expect(recorder.of('circuit:opened')).toEqual([]);
    expect(recorder.of('job:failed')).toEqual([]);
    const delays = recorder.of('job:retrying').map((e) => e.delayMs);
    expect(delays.slice(0, 5)).toEqual([250, 500, 1000, 1000, 1000]);
    expect(Math.max(...delays)).toBe(1000);
    expect(recorder.of('job:retrying').every((e) => e.error.restarting === true)).toBe(true);
    expect(engine.getSyncStatus().bindings[0]).toMatchObject({ circuit: 'closed', consecutiveFailures: 0 });
    expect(recorder.of('source:restarting')).toHaveLength(1);

    // The server answers again, with a changed document: applied at the next quick retry, within 1 s.
    const next = petstore(2);
    source.set(next);
    const back = clock.now();
    const applied = recorder.waitFor('sync:applied');
    await clock.advance(1000);
    await applied;
    expect(recorder.of('sync:applied')[0]!.timestamp - back).toBeLessThanOrEqual(1000);
    expect(target.value).toEqual(next);
    expect(engine.getSyncStatus().bindings[0]).toMatchObject({ circuit: 'closed', consecutiveFailures: 0, restarting: undefined });
    await engine.stopSync();
  });

  it('syncNow waits for a restarting server and resolves with the run once it answers', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock, retry: { maxRetries: 0 } });
    const source = new MemorySource(petstore(1));
    source.fail(restartingError());
    await engine.addSource({ id: 'api', source, target: new MemoryTarget() });
    const result = engine.syncNow('api').then(
      (run) => run,
      (error: unknown) => error,
    );
    await clock.advance(3000);
    expect(source.fetchCount).toBeGreaterThan(4);
    source.set(petstore(1));
    await clock.advance(1000);
    expect(await result).toMatchObject({ outcome: 'applied' });
  });

  it('after the grace period the failures count again: a server that stays down still opens the breaker', async () => {
    const { clock, engine, recorder, source } = await started({ retry: { ...WATCH.retry, restartGraceMs: 5000 } });
    source.fail(restartingError());
    await clock.advance(2000);
    const since = recorder.of('source:restarting')[0]!.since;
    await clock.advance(since + 5000 - clock.now() - 1);
    expect(recorder.of('circuit:opened')).toEqual([]);
    expect(engine.getSyncStatus().bindings[0]?.consecutiveFailures).toBe(0);
    await clock.advance(30_000);
    // It opens, and opens again after each failed probe.
    const opened = recorder.of('circuit:opened');
    expect(opened.length).toBeGreaterThan(0);
    expect(opened[0]!.timestamp).toBeGreaterThanOrEqual(since + 5000);
    expect(opened[0]!.failures).toBe(5);
    // The quick retries did not use up the job's own retries: after the grace period it gets them, with the normal backoff.
    const afterGrace = recorder.of('job:retrying').filter((e) => e.timestamp >= since + 5000);
    expect(afterGrace.slice(0, 2).map((e) => e.delayMs)).toEqual([250, 500]);
    expect(engine.getSyncStatus().bindings[0]).toMatchObject({ circuit: 'open', restarting: undefined });
    // One restart episode per stretch of failures: no new grace period until the source answers.
    expect(recorder.of('source:restarting')).toHaveLength(1);
    await engine.stopSync();
  });

  it('a new grace period starts after the source answered again', async () => {
    const { clock, recorder, source, engine } = await started({ retry: { ...WATCH.retry, restartGraceMs: 5000 } });
    source.fail(restartingError());
    await clock.advance(4000);
    source.set(petstore(2));
    await clock.advance(2000);
    expect(recorder.of('sync:applied')).toHaveLength(1);
    source.fail(restartingError());
    await clock.advance(4000);
    expect(recorder.of('source:restarting')).toHaveLength(2);
    expect(recorder.of('circuit:opened')).toEqual([]);
    await engine.stopSync();
  });

  it('the same failure without the restarting mark (a remote host) opens the breaker as before', async () => {
    const { clock, recorder, source, engine } = await started();
    source.fail(remoteError());
    await clock.advance(10_000);
    expect(recorder.of('circuit:opened')).toHaveLength(1);
    expect(recorder.of('source:restarting')).toEqual([]);
    // The normal backoff (full jitter at 0.5 of 500 ms, 1000 ms), then the circuit opens at the fifth failure.
    expect(recorder.of('job:retrying').map((e) => e.delayMs)).toEqual([250, 500, 250]);
    await engine.stopSync();
  });

  it('restartGraceMs: 0 on the binding turns the grace off for it', async () => {
    const { clock, recorder, source, engine } = await started({}, { restartGraceMs: 0 });
    source.fail(restartingError());
    await clock.advance(10_000);
    expect(recorder.of('circuit:opened')).toHaveLength(1);
    expect(recorder.of('source:restarting')).toEqual([]);
    await engine.stopSync();
  });

  it('validates restartGraceMs on the engine and on a binding, and reports a change of it', async () => {
    expect(() => new SyncEngine({ retry: { restartGraceMs: -1 } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', details: { option: 'retry.restartGraceMs' } }),
    );
    const engine = new SyncEngine();
    expect(engine.getConfig().retry.restartGraceMs).toBe(30_000);
    await expect(
      engine.addSource({ id: 'x', source: new MemorySource(petstore(1)), target: new MemoryTarget(), restartGraceMs: Number.NaN }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    const recorder = new EventRecorder(engine);
    await engine.updateConfig({ retry: { restartGraceMs: 1000 } });
    expect(recorder.of('config:updated')[0]?.changed).toEqual(['retry.restartGraceMs']);
  });
});

describe('circuit breaker: a success resets the count of consecutive failures', () => {
  it('fail, fail, success, fail does not open a threshold-3 breaker', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock, retry: { maxRetries: 0 }, circuitBreaker: { failureThreshold: 3, cooldownMs: 60_000 } });
    const recorder = new EventRecorder(engine);
    const source = new MemorySource(petstore(1));
    await engine.addSource({ id: 'api', source, target: new MemoryTarget() });
    source.fail(remoteError());
    await expect(engine.syncNow('api')).rejects.toMatchObject({ code: 'SOURCE_CONNECTION_REFUSED' });
    await expect(engine.syncNow('api')).rejects.toMatchObject({ code: 'SOURCE_CONNECTION_REFUSED' });
    expect(engine.getSyncStatus().bindings[0]?.consecutiveFailures).toBe(2);
    source.set(petstore(2));
    await expect(engine.syncNow('api')).resolves.toMatchObject({ outcome: 'applied' });
    expect(engine.getSyncStatus().bindings[0]?.consecutiveFailures).toBe(0);
    source.fail(remoteError());
    await expect(engine.syncNow('api')).rejects.toMatchObject({ code: 'SOURCE_CONNECTION_REFUSED' });
    expect(engine.getSyncStatus().bindings[0]).toMatchObject({ circuit: 'closed', consecutiveFailures: 1 });
    expect(recorder.of('circuit:opened')).toEqual([]);
    // Two more make three in a row: now it opens.
    await expect(engine.syncNow('api')).rejects.toMatchObject({ code: 'SOURCE_CONNECTION_REFUSED' });
    await expect(engine.syncNow('api')).rejects.toMatchObject({ code: 'SOURCE_CONNECTION_REFUSED' });
    expect(recorder.of('circuit:opened')).toHaveLength(1);
  });

  it('the breaker itself: recordSuccess on a closed circuit zeroes the count', () => {
    const breaker = new CircuitBreaker();
    const policy = { failureThreshold: 3, cooldownMs: 1000 };
    expect(breaker.recordFailure(0, policy)).toBeUndefined();
    expect(breaker.recordFailure(1, policy)).toBeUndefined();
    expect(breaker.recordSuccess()).toBeUndefined();
    expect(breaker.failures).toBe(0);
    expect(breaker.recordFailure(2, policy)).toBeUndefined();
    expect(breaker.state).toBe('closed');
    expect(breaker.recordFailure(3, policy)).toBeUndefined();
    expect(breaker.recordFailure(4, policy)).toBe('opened');
  });
});
