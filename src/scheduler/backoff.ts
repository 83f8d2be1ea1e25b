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
  /**
   * How long a failure marked `restarting` (a local dev server between stop
   * and start) is waited out, in milliseconds: within this time, counted from
   * the first such failure since the binding last succeeded, it is retried on
   * the quick {@link restartDelay} schedule, does not use up `maxRetries` and
   * does not count toward the circuit breaker. After it, the normal rules
   * apply. Default 30000; `0` treats restarts like any other failure.
   */
  restartGraceMs: number;
}

/** The defaults of {@link RetryPolicy}. */
export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  factor: 2,
  restartGraceMs: 30_000,
});

/** The delay before the first retry of a restarting source, in milliseconds. */
const RESTART_FIRST_DELAY_MS = 250;

/** The largest delay between retries of a restarting source, in milliseconds. */
const RESTART_MAX_DELAY_MS = 1000;

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

/**
 * The delay before retry number `retry` (1 for the first) of a source that
 * is restarting: `min(1000, 250 × 2^(retry − 1))`, so 250, 500, 1000, 1000…
 * No jitter: the peer is a local server, and the point is to see it answer
 * again as soon as possible.
 */
export function restartDelay(retry: number): number {
  return Math.min(RESTART_MAX_DELAY_MS, RESTART_FIRST_DELAY_MS * 2 ** Math.max(0, retry - 1));
}
