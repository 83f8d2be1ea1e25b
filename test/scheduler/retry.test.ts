import { describe, expect, it } from 'vitest';
import { SourceError, SyncEngine, type SpecSource } from '../../src/index.js';
import { backoffCeiling, defaultRetryPolicy } from '../../src/scheduler/index.js';
import { EventRecorder, ManualClock, MemorySource, MemoryTarget } from '../../src/testing/index.js';
import { petstore } from '../support/docs.js';

function refusing(): MemorySource {
  const source = new MemorySource(petstore(1));
  source.fail(new SourceError('SOURCE_CONNECTION_REFUSED', 'connect ECONNREFUSED 127.0.0.1:8000'));
  return source;
}

describe('retries with exponential backoff and full jitter', () => {
  it('retries 3 times at the exact backoff times, then fails, without real sleeping', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const engine = new SyncEngine({ clock, random: () => 0.5, retry: { maxRetries: 3, baseDelayMs: 1000, factor: 2, maxDelayMs: 60_000 } });
    const recorder = new EventRecorder(engine);
    const source = refusing();
    await engine.addSource({ id: 'api', source, target: new MemoryTarget() });
    const result = engine.syncNow('api').catch((e: unknown) => e);
    await clock.advance(0);
    const retrying = recorder.of('job:retrying');
    expect(retrying).toHaveLength(1);
    expect(retrying[0]).toMatchObject({
      delayMs: 500,
      nextAttempt: t0 + 500,
      job: { retryCount: 1, status: 'pending', nextAttempt: t0 + 500 },
    });
    expect(engine.getSyncStatus().jobs[0]).toMatchObject({ status: 'pending', nextAttempt: t0 + 500 });

    await clock.advance(499);
    expect(source.fetchCount).toBe(1);
    await clock.advance(1);
    expect(source.fetchCount).toBe(2);
    expect(recorder.of('job:retrying')[1]).toMatchObject({ delayMs: 1000, nextAttempt: t0 + 1500 });
    await clock.advance(1000);
    expect(recorder.of('job:retrying')[2]).toMatchObject({ delayMs: 2000, nextAttempt: t0 + 3500 });
    await clock.advance(2000);
    expect(source.fetchCount).toBe(4);
    expect(await result).toMatchObject({ code: 'SOURCE_CONNECTION_REFUSED' });
    expect(recorder.of('job:failed')).toHaveLength(1);
    expect(recorder.of('job:failed')[0]?.job).toMatchObject({ retryCount: 3, status: 'failed' });
    expect(engine.getMetrics()).toMatchObject({ retries: 3, failedSyncs: 1, totalSyncs: 1, attempts: 4 });
  });

  it('keeps every delay within the full-jitter bounds [0, min(cap, base·2^n))', async () => {
    const policy = { ...defaultRetryPolicy, maxRetries: 8, baseDelayMs: 100, maxDelayMs: 3000 };
    for (const r of [0, 0.25, 0.999999]) {
      const clock = new ManualClock();
      const engine = new SyncEngine({ clock, random: () => r, retry: policy, circuitBreaker: { failureThreshold: 0 } });
      const recorder = new EventRecorder(engine);
      await engine.addSource({ id: 'api', source: refusing(), target: new MemoryTarget() });
      const done = engine.syncNow('api').catch(() => undefined);
      for (let i = 0; i < 9; i++) await clock.advance(5000);
      await done;
      const delays = recorder.of('job:retrying').map((e) => e.delayMs);
      expect(delays).toHaveLength(8);
      delays.forEach((delay, i) => {
        const ceiling = backoffCeiling(policy, i + 1);
        expect(ceiling).toBe(Math.min(3000, 100 * 2 ** i));
        expect(delay).toBe(Math.floor(r * ceiling));
        expect(delay).toBeLessThan(ceiling);
      });
    }
  });

  it('honours Retry-After exactly', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock, random: () => 0.1 });
    const recorder = new EventRecorder(engine);
    const source = new MemorySource(petstore(1));
    source.fail(new SourceError('SOURCE_HTTP_STATUS', 'HTTP 429', { retryAfterMs: 7000 }));
    await engine.addSource({ id: 'api', source, target: new MemoryTarget() });
    const done = engine.syncNow('api');
    await clock.advance(0);
    expect(recorder.of('job:retrying')[0]).toMatchObject({ delayMs: 7000, nextAttempt: clock.now() + 7000 });
    source.set(petstore(1));
    await clock.advance(6999);
    expect(source.fetchCount).toBe(1);
    await clock.advance(1);
    await expect(done).resolves.toMatchObject({ outcome: 'applied' });
  });

  it('does not retry a non-retryable error', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock });
    const source = new MemorySource(petstore(1));
    source.fail(new SourceError('SOURCE_HOST_NOT_ALLOWED', 'nope', { retryable: false }));
    await engine.addSource({ id: 'api', source, target: new MemoryTarget() });
    await expect(engine.syncNow('api')).rejects.toMatchObject({ code: 'SOURCE_HOST_NOT_ALLOWED' });
    expect(source.fetchCount).toBe(1);
  });

  it('a manual trigger during a retry wait runs at once and keeps the retry count', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock, random: () => 0.9, retry: { baseDelayMs: 10_000, maxDelayMs: 60_000 } });
    const source = refusing();
    await engine.addSource({ id: 'api', source, target: new MemoryTarget() });
    const first = engine.syncNow('api');
    await clock.advance(0);
    source.set(petstore(1));
    const second = engine.syncNow('api');
    await clock.advance(0);
    await expect(second).resolves.toMatchObject({ outcome: 'applied' });
    await expect(first).resolves.toMatchObject({ outcome: 'applied' });
    expect(source.fetchCount).toBe(2);
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, half-opens after the cool-down, closes on success', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({
      clock,
      syncOnStart: false,
      retry: { maxRetries: 0 },
      circuitBreaker: { failureThreshold: 3, cooldownMs: 30_000 },
    });
    const recorder = new EventRecorder(engine);
    const source = refusing();
    await engine.addSource({ id: 'api', source, target: new MemoryTarget(), intervalMs: 1000 });
    await engine.startSync();
    for (let i = 0; i < 3; i++) await clock.advance(1000);
    expect(source.fetchCount).toBe(3);
    const opened = recorder.of('circuit:opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ sourceId: 'api', failures: 3, halfOpenAt: clock.now() + 30_000 });
    expect(engine.getSyncStatus().bindings[0]).toMatchObject({ circuit: 'open', consecutiveFailures: 3 });

    // While open: poll ticks are skipped, a manual sync is refused with a typed error.
    await clock.advance(10_000);
    expect(source.fetchCount).toBe(3);
    await expect(engine.syncNow('api')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });

    // Half-open: one probe; it fails, so the circuit opens again.
    await clock.advance(20_000);
    expect(recorder.of('circuit:half-opened')).toHaveLength(1);
    expect(source.fetchCount).toBe(4);
    expect(recorder.of('circuit:opened')).toHaveLength(2);

    // Next cool-down: the source recovered, the probe succeeds and closes the circuit.
    source.set(petstore(1));
    await clock.advance(30_000);
    expect(recorder.of('circuit:closed')).toHaveLength(1);
    expect(engine.getSyncStatus().bindings[0]?.circuit).toBe('closed');
    await engine.stopSync();
  });
});

describe('one failing binding never stops another', () => {
  it('keeps polling the healthy binding while the other one retries and opens its circuit', async () => {
    const clock = new ManualClock();
    const engine = new SyncEngine({ clock, syncOnStart: false, circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 } });
    const healthy = new MemorySource(petstore(1));
    const healthySource: SpecSource = healthy;
    await engine.addSource({ id: 'bad', source: refusing(), target: new MemoryTarget(), intervalMs: 1000 });
    await engine.addSource({ id: 'good', source: healthySource, target: new MemoryTarget(), intervalMs: 1000 });
    await engine.startSync();
    for (let i = 0; i < 10; i++) await clock.advance(1000);
    expect(healthy.fetchCount).toBe(10);
    expect(engine.getMetrics().perSource.good).toMatchObject({ successfulSyncs: 10, failedSyncs: 0 });
    await engine.stopSync();
  });
});
