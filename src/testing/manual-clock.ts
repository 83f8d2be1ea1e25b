import type { Clock, TimerHandle } from '../scheduler/index.js';

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** Let pending promise chains run: a few macrotask turns. */
export async function flushPromises(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A clock that moves only when told. Timers fire in time order (FIFO for
 * equal times) as {@link ManualClock.advance} passes them, with promise
 * chains flushed after each, so "retry three times with backoff, then fail"
 * runs in milliseconds without sleeping.
 */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: Timer[] = [];

  /** Start at `start` epoch milliseconds. Default 2026-01-01T00:00:00Z. */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  /** {@inheritDoc index!Clock.now} */
  now(): number {
    return this.#now;
  }

  /** {@inheritDoc index!Clock.setTimeout} */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), callback };
    this.#timers.push(timer);
    return timer.id;
  }

  /** {@inheritDoc index!Clock.clearTimeout} */
  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** How many timers are waiting. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** When the next timer is due, or `undefined`. */
  nextTimerAt(): number | undefined {
    return this.#earliest()?.at;
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.#timers) if (!best || timer.at < best.at || (timer.at === best.at && timer.id < best.id)) best = timer;
    return best;
  }

  /** Move time forward by `ms`, firing every timer that comes due, in order, flushing promises after each. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    await flushPromises();
    for (;;) {
      const next = this.#earliest();
      if (!next || next.at > end) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      await flushPromises();
    }
    this.#now = end;
    await flushPromises();
  }

  /** Move time to the next timer and fire it (and any due at the same time). Returns false when none waits. */
  async runNext(): Promise<boolean> {
    const next = this.#earliest();
    if (!next) return false;
    await this.advance(next.at - this.#now);
    return true;
  }
}
