import type { SyncEngineEventName, SyncEngineEvents } from '../engine/index.js';
import { syncEngineEventNames } from '../engine/index.js';

/** One recorded event. */
export interface RecordedEvent<E extends SyncEngineEventName = SyncEngineEventName> {
  name: E;
  payload: SyncEngineEvents[E];
}

/** Anything with the engine's typed `on`/`off` (a `SyncEngine`). */
export interface EventSourceLike {
  on<E extends SyncEngineEventName>(event: E, listener: (payload: SyncEngineEvents[E]) => void): unknown;
  off<E extends SyncEngineEventName>(event: E, listener: (payload: SyncEngineEvents[E]) => void): unknown;
}

/**
 * Records an engine's events in order, for assertions:
 * `recorder.names()`, `recorder.of('job:failed')`,
 * `recorder.expectSequence(['job:queued', 'job:started', 'job:completed'])`.
 */
export class EventRecorder {
  readonly #events: RecordedEvent[] = [];
  readonly #detach: Array<() => void> = [];
  readonly #waiters: Array<{ test: (e: RecordedEvent) => boolean; resolve: (e: RecordedEvent) => void }> = [];

  /** Record `events` (default: all) of `engine` from now on. */
  constructor(engine: EventSourceLike, events: readonly SyncEngineEventName[] = syncEngineEventNames) {
    for (const name of events) {
      const listener = (payload: SyncEngineEvents[typeof name]): void => {
        const event = { name, payload } as RecordedEvent;
        this.#events.push(event);
        for (const waiter of [...this.#waiters]) {
          if (waiter.test(event)) {
            this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
            waiter.resolve(event);
          }
        }
      };
      engine.on(name, listener);
      this.#detach.push(() => engine.off(name, listener));
    }
  }

  /** Every recorded event, in order. */
  get events(): readonly RecordedEvent[] {
    return this.#events;
  }

  /** The names of the recorded events, in order, optionally only of one binding. */
  names(sourceId?: string): SyncEngineEventName[] {
    return this.#events.filter((e) => sourceId === undefined || sourceOf(e) === sourceId).map((e) => e.name);
  }

  /** The payloads of one event name, in order. */
  of<E extends SyncEngineEventName>(name: E): SyncEngineEvents[E][] {
    return this.#events.filter((e) => e.name === name).map((e) => e.payload as SyncEngineEvents[E]);
  }

  /** Forget what was recorded so far. */
  clear(): void {
    this.#events.length = 0;
  }

  /**
   * Assert that `names` occurred in this order (other events may come in
   * between). Throws an Error listing what was recorded when they did not.
   */
  expectSequence(names: readonly SyncEngineEventName[], sourceId?: string): void {
    const seen = this.names(sourceId);
    let at = 0;
    for (const name of seen) if (name === names[at]) at += 1;
    if (at < names.length) {
      throw new Error(
        `Expected the events ${names.join(' → ')} in order; missing "${names[at]}" after the first ${at}. Recorded: ${seen.join(', ') || '(none)'}.`,
      );
    }
  }

  /** Resolves with the first event (already recorded or future) of that name that passes `test`. */
  waitFor<E extends SyncEngineEventName>(
    name: E,
    test: (payload: SyncEngineEvents[E]) => boolean = () => true,
  ): Promise<SyncEngineEvents[E]> {
    const match = (e: RecordedEvent): boolean => e.name === name && test(e.payload as SyncEngineEvents[E]);
    const found = this.#events.find(match);
    if (found) return Promise.resolve(found.payload as SyncEngineEvents[E]);
    return new Promise((resolve) => this.#waiters.push({ test: match, resolve: (e) => resolve(e.payload as SyncEngineEvents[E]) }));
  }

  /** Stop recording. */
  dispose(): void {
    for (const detach of this.#detach.splice(0)) detach();
  }
}

function sourceOf(event: RecordedEvent): string | undefined {
  const payload = event.payload as { sourceId?: string; job?: { sourceId: string } };
  return payload.sourceId ?? payload.job?.sourceId;
}
