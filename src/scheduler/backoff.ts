/**
 * Retry delays: exponential backoff with full jitter and a cap.
 *
 * @module
 */

/** How failed jobs are retried. */
export interface RetryPolicy {
  /** Attempts after the first one. Default 3. */
  maxRetries: number;
  /** The delay ceiling of the first retry, in milliseconds. Default 1000. */
  baseDelayMs: number;
  /** The largest delay ceiling, in milliseconds. Default 60000. */
  maxDelayMs: number;
  /** Growth factor of the ceiling per retry. Default 2. */
  factor: number;
}

/** The defaults of {@link RetryPolicy}. */
export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  factor: 2,
});

/**
 * The ceiling of the delay before retry number `retry` (1 for the first
 * retry): `min(maxDelayMs, baseDelayMs * factor^(retry - 1))`.
 */
export function backoffCeiling(policy: RetryPolicy, retry: number): number {
  const exponent = Math.max(0, retry - 1);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** exponent);
}

/**
 * The delay before retry number `retry` with full jitter: a uniformly random
 * value in `[0, ceiling)`, rounded down to a whole millisecond. `random` is
 * injected so tests are deterministic.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  return Math.floor(random() * backoffCeiling(policy, retry));
}
