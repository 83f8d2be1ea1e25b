import { EventEmitter } from 'eventemitter3';
import { ListenerError } from '../errors.js';
import type { SyncEngineEventName, SyncEngineEvents, SyncEngineListener } from './events.js';

type AnyListener = (payload: unknown) => void | Promise<void>;

/**
 * Typed events over eventemitter3 where a throwing (or rejecting) listener
 * can never break the emitter's owner: its failure is reported as an `error`
 * event instead. Payloads are built lazily, only when someone listens.
 */
export class SafeEmitter {
  readonly #inner = new EventEmitter<Record<string, [unknown]>>();
  readonly #wrapped = new Map<AnyListener, Map<string, AnyListener[]>>();
  readonly #now: () => number;
  /** Listeners registered, all events together: with none, emit returns at once. */
  #total = 0;

  constructor(now: () => number) {
    this.#now = now;
  }

  #wrap(event: string, listener: AnyListener, once: boolean): AnyListener {
    const wrapped: AnyListener = (payload) => {
      if (once) this.#forget(event, listener, wrapped);
      try {
        const result = listener(payload);
        if (result && typeof (result as Promise<void>).then === 'function') {
          (result as Promise<void>).then(undefined, (error: unknown) => this.#report(event, error));
        }
      } catch (error) {
        this.#report(event, error);
      }
    };
    let byEvent = this.#wrapped.get(listener);
    if (!byEvent) {
      byEvent = new Map();
      this.#wrapped.set(listener, byEvent);
    }
    const list = byEvent.get(event) ?? [];
    list.push(wrapped);
    byEvent.set(event, list);
    return wrapped;
  }

  #forget(event: string, listener: AnyListener, wrapped: AnyListener): void {
    const list = this.#wrapped.get(listener)?.get(event);
    if (!list) return;
    const index = list.indexOf(wrapped);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.#wrapped.get(listener)?.delete(event);
    if (this.#wrapped.get(listener)?.size === 0) this.#wrapped.delete(listener);
  }

  #report(event: string, error: unknown): void {
    if (event === 'error') return; // a failing error listener has nowhere left to report to
    const failure = new ListenerError(event, error);
    this.emit('error', () => ({ timestamp: this.#now(), error: failure.toJSON() }));
  }

  /** Listen to an event. */
  on<E extends SyncEngineEventName>(event: E, listener: SyncEngineListener<E>): void {
    this.#total += 1;
    this.#inner.on(event, this.#wrap(event, listener as AnyListener, false));
  }

  /** Listen to the next occurrence of an event only. */
  once<E extends SyncEngineEventName>(event: E, listener: SyncEngineListener<E>): void {
    this.#total += 1;
    this.#inner.once(event, this.#wrap(event, listener as AnyListener, true));
  }

  /** Stop listening; removes one registration of `listener` for `event`. */
  off<E extends SyncEngineEventName>(event: E, listener: SyncEngineListener<E>): void {
    const list = this.#wrapped.get(listener as AnyListener)?.get(event);
    const wrapped = list?.[list.length - 1];
    if (!wrapped) return;
    this.#inner.off(event, wrapped);
    this.#forget(event, listener as AnyListener, wrapped);
  }

  /** Remove every listener, of one event or of all. */
  removeAllListeners(event?: SyncEngineEventName): void {
    if (event === undefined) {
      this.#inner.removeAllListeners();
      this.#wrapped.clear();
      return;
    }
    this.#inner.removeAllListeners(event);
    for (const byEvent of this.#wrapped.values()) byEvent.delete(event);
  }

  /** False only when no listener was ever registered: hot paths then skip building event payloads at all. */
  get listening(): boolean {
    return this.#total > 0;
  }

  /** How many listeners an event has. */
  listenerCount(event: SyncEngineEventName): number {
    return this.#inner.listenerCount(event);
  }

  /** Emit an event; `payload` is called only when there is a listener. */
  emit<E extends SyncEngineEventName>(event: E, payload: () => SyncEngineEvents[E]): void {
    // #total only ever over-counts (once-listeners that fired, removed ones): a fast "nobody listens" check.
    if (this.#total === 0 || this.#inner.listenerCount(event) === 0) return;
    this.#inner.emit(event, payload());
  }
}
