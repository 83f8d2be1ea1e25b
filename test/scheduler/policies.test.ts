/** The scheduler's policies on their own: the backoff arithmetic and the circuit breaker's state machine. */
import { describe, expect, it } from 'vitest';
import {
  backoffCeiling,
  backoffDelay,
  CircuitBreaker,
  defaultCircuitBreakerPolicy,
  defaultRetryPolicy,
} from '../../src/scheduler/index.js';

describe('backoff', () => {
  const policy = { ...defaultRetryPolicy, maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000, factor: 3 };

  it('grows the ceiling by the factor from the base delay, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffCeiling(policy, retry))).toStrictEqual([100, 300, 900, 1000, 1000]);
    // A retry number below 1 gets the first ceiling, never a fraction of it.
    expect(backoffCeiling(policy, 0)).toBe(100);
    expect(backoffCeiling(policy, -3)).toBe(100);
  });

  it('draws the delay uniformly below the ceiling, in whole milliseconds', () => {
    expect(backoffDelay(policy, 2, () => 0)).toBe(0);
    expect(backoffDelay(policy, 2, () => 0.5)).toBe(150);
    expect(backoffDelay(policy, 2, () => 0.99999)).toBe(299);
    expect(backoffDelay(policy, 9, () => 0.5)).toBe(500);
  });

  it('has the documented defaults, frozen', () => {
    expect(defaultRetryPolicy).toMatchObject({ maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 60_000, factor: 2 });
    expect(Object.isFrozen(defaultRetryPolicy)).toBe(true);
    expect(defaultCircuitBreakerPolicy).toMatchObject({ failureThreshold: 5, cooldownMs: 60_000 });
    expect(Object.isFrozen(defaultCircuitBreakerPolicy)).toBe(true);
  });
});

describe('CircuitBreaker', () => {
  const policy = { failureThreshold: 3, cooldownMs: 1000 };
  const snapshot = (breaker: CircuitBreaker) => ({
    state: breaker.state,
    failures: breaker.failures,
    openedAt: breaker.openedAt,
    allowsAttempt: breaker.allowsAttempt,
  });

  it('starts closed and opens at the threshold, at the time of the failure that reached it', () => {
    const breaker = new CircuitBreaker();
    expect(snapshot(breaker)).toStrictEqual({ state: 'closed', failures: 0, openedAt: undefined, allowsAttempt: true });
    expect(breaker.recordFailure(10, policy)).toBeUndefined();
    expect(breaker.recordFailure(20, policy)).toBeUndefined();
    expect(snapshot(breaker)).toStrictEqual({ state: 'closed', failures: 2, openedAt: undefined, allowsAttempt: true });
    expect(breaker.recordFailure(30, policy)).toBe('opened');
    expect(snapshot(breaker)).toStrictEqual({ state: 'open', failures: 3, openedAt: 30, allowsAttempt: false });
  });

  it('does not open again, nor move its opening time, on a failure while open', () => {
    const breaker = new CircuitBreaker();
    for (const now of [1, 2, 3]) breaker.recordFailure(now, policy);
    expect(breaker.recordFailure(50, policy)).toBeUndefined();
    expect(snapshot(breaker)).toStrictEqual({ state: 'open', failures: 4, openedAt: 3, allowsAttempt: false });
  });

  it('half-opens only from open; a failed probe opens it at once, a successful one closes it', () => {
    const breaker = new CircuitBreaker();
    expect(breaker.halfOpen()).toBeUndefined();
    expect(breaker.state).toBe('closed');
    for (const now of [1, 2, 3]) breaker.recordFailure(now, policy);
    expect(breaker.halfOpen()).toBe('half-opened');
    expect(snapshot(breaker)).toStrictEqual({ state: 'half-open', failures: 3, openedAt: 3, allowsAttempt: true });
    expect(breaker.halfOpen()).toBeUndefined();
    expect(breaker.recordFailure(2000, policy)).toBe('opened');
    expect(snapshot(breaker)).toMatchObject({ state: 'open', openedAt: 2000 });

    breaker.halfOpen();
    expect(breaker.recordSuccess()).toBe('closed');
    expect(snapshot(breaker)).toMatchObject({ state: 'closed', openedAt: undefined, allowsAttempt: true });
    expect(breaker.recordSuccess()).toBeUndefined();
    expect(breaker.state).toBe('closed');
  });

  it('never opens with a threshold of 0, and opens at the first failure with 1', () => {
    const disabled = new CircuitBreaker();
    for (let now = 0; now < 10; now++) expect(disabled.recordFailure(now, { failureThreshold: 0, cooldownMs: 1 })).toBeUndefined();
    expect(snapshot(disabled)).toStrictEqual({ state: 'closed', failures: 10, openedAt: undefined, allowsAttempt: true });
    const eager = new CircuitBreaker();
    expect(eager.recordFailure(7, { failureThreshold: 1, cooldownMs: 1 })).toBe('opened');
    expect(eager.openedAt).toBe(7);
  });
});
