/**
 * A circuit breaker per binding: after `failureThreshold` consecutive failed
 * attempts it opens (no attempts run), after `cooldownMs` it half-opens (one
 * probe attempt may run), and a success closes it again.
 *
 * @module
 */

/** The circuit breaker's settings. */
export interface CircuitBreakerPolicy {
  /** Consecutive failed attempts that open the circuit. Default 5. `0` disables the breaker. */
  failureThreshold: number;
  /** How long the circuit stays open before a probe is allowed, in milliseconds. Default 60000. */
  cooldownMs: number;
}

/** The defaults of {@link CircuitBreakerPolicy}. */
export const defaultCircuitBreakerPolicy: Readonly<CircuitBreakerPolicy> = Object.freeze({
  failureThreshold: 5,
  cooldownMs: 60_000,
});

/** The states of a circuit. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** What a state change of a circuit breaker means to its owner. */
export type CircuitTransition = 'opened' | 'half-opened' | 'closed' | undefined;

/** The breaker of one binding. Pure state: the owner schedules the cool-down timer. */
export class CircuitBreaker {
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt: number | undefined;

  /** The current state. */
  get state(): CircuitState {
    return this.#state;
  }

  /** Consecutive failed attempts so far. */
  get failures(): number {
    return this.#failures;
  }

  /** When the circuit last opened, epoch milliseconds. */
  get openedAt(): number | undefined {
    return this.#openedAt;
  }

  /** Whether an attempt may run now. */
  get allowsAttempt(): boolean {
    return this.#state !== 'open';
  }

  /** Record a successful attempt. */
  recordSuccess(): CircuitTransition {
    this.#failures = 0;
    if (this.#state === 'closed') return undefined;
    this.#state = 'closed';
    this.#openedAt = undefined;
    return 'closed';
  }

  /** Record a failed attempt at time `now`. */
  recordFailure(now: number, policy: CircuitBreakerPolicy): CircuitTransition {
    this.#failures += 1;
    if (policy.failureThreshold <= 0) return undefined;
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#failures >= policy.failureThreshold)) {
      this.#state = 'open';
      this.#openedAt = now;
      return 'opened';
    }
    return undefined;
  }

  /** Move an open circuit to half-open (the cool-down ended). */
  halfOpen(): CircuitTransition {
    if (this.#state !== 'open') return undefined;
    this.#state = 'half-open';
    return 'half-opened';
  }
}
