/**
 * What the engine remembers about review: syncs a safety rail held, the
 * held document a person approved or dismissed, and how many runs in a row
 * saw the same new document (flapping protection). In memory, per engine.
 *
 * @module
 */
import { JobError } from '../errors.js';
import type { HeldSync, SyncResult } from './types.js';

function notHeld(jobId: string): JobError {
  return new JobError('JOB_NOT_FOUND', `No held sync with job id "${jobId}".`, { hint: 'See getHeldSyncs().' });
}

/** Held syncs and the decisions about them. */
export class ReviewState {
  readonly #held = new Map<string, HeldSync>();
  /** Binding id → the remote hash a person dismissed (held quietly until the remote changes). */
  readonly #dismissed = new Map<string, string>();
  /** Binding id → the remote hash a person approved (the rails skip it once). */
  readonly #approved = new Map<string, string>();
  /** Binding id → the remote hash of the last run that found something new, and how many runs in a row saw it. */
  readonly #seen = new Map<string, { hash: string; count: number }>();

  /** Whether the held remote `hash` of a binding was approved. */
  isApproved(sourceId: string, hash: string): boolean {
    return this.#approved.get(sourceId) === hash;
  }

  /** Whether this remote hash is already held (or was dismissed): it is held again quietly. */
  heldBefore(sourceId: string, hash: string): boolean {
    return this.#dismissed.get(sourceId) === hash || this.#heldWith(sourceId, hash);
  }

  /**
   * Count runs that see the same new remote `hash` in a row; `undefined`
   * (the run found nothing new) resets the count. Returns the count.
   */
  seen(sourceId: string, hash: string | undefined): number {
    if (hash === undefined) {
      this.#seen.delete(sourceId);
      return 0;
    }
    const last = this.#seen.get(sourceId);
    const count = last?.hash === hash ? last.count + 1 : 1;
    this.#seen.set(sourceId, { hash, count });
    return count;
  }

  /** Record how a run ended: an applied run clears the binding's review; a newly held one replaces its older holds. */
  afterRun(result: SyncResult): void {
    const id = result.sourceId;
    if (result.outcome === 'applied') {
      this.#approved.delete(id);
      this.#dismissed.delete(id);
      this.#dropHolds(id);
    } else if (result.outcome === 'held' && result.hash !== undefined && result.heldReason !== undefined) {
      if (this.heldBefore(id, result.hash)) return;
      this.#dropHolds(id);
      this.#held.set(result.jobId, {
        jobId: result.jobId,
        sourceId: id,
        reason: result.heldReason,
        details: result.heldDetails ?? {},
        hash: result.hash,
        heldAt: result.finishedAt,
        changes: result.changes as HeldSync['changes'],
      });
    }
  }

  /** The held syncs, as copies. */
  list(): HeldSync[] {
    return [...this.#held.values()].map((h) => structuredClone(h));
  }

  /** Approve a held sync: its remote document passes the rails once. Returns it; `JOB_NOT_FOUND` when none is held with that id. */
  approve(jobId: string): HeldSync {
    const held = this.#take(jobId);
    this.#approved.set(held.sourceId, held.hash);
    return held;
  }

  /** Dismiss a held sync: its remote document is held quietly until the remote changes. `JOB_NOT_FOUND` when none is held with that id. */
  dismiss(jobId: string): HeldSync {
    const held = this.#take(jobId);
    this.#dismissed.set(held.sourceId, held.hash);
    return held;
  }

  /** Forget everything about a binding (it was removed). */
  forget(sourceId: string): void {
    this.#dropHolds(sourceId);
    this.#approved.delete(sourceId);
    this.#dismissed.delete(sourceId);
    this.#seen.delete(sourceId);
  }

  #take(jobId: string): HeldSync {
    const held = this.#held.get(jobId);
    if (!held) throw notHeld(jobId);
    this.#held.delete(jobId);
    return held;
  }

  #heldWith(sourceId: string, hash: string): boolean {
    for (const held of this.#held.values()) if (held.sourceId === sourceId && held.hash === hash) return true;
    return false;
  }

  #dropHolds(sourceId: string): void {
    for (const [jobId, held] of this.#held) if (held.sourceId === sourceId) this.#held.delete(jobId);
  }
}
