/**
 * Time, injected. The engine never calls the global timers directly, so a
 * test can swap in the test kit's `ManualClock` and advance time at will.
 *
 * @module
 */

/** An opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/** The timer backend the engine uses for polling, backoff, circuit cool-downs and grace periods. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Call `callback` once, `ms` milliseconds from now. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancel a timer; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `Date.now` and the global timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, Math.max(0, ms)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
