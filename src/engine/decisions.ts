/**
 * Jobs a `manual()` resolver holds while a person decides their conflicts:
 * the waiting list behind `getPendingDecisions()` and `resolveConflicts()`.
 *
 * @module
 */
import { validateDecisions, type ConflictDecision, type RejectedDecision } from '../conflict/index.js';
import { ConfigError, JobError } from '../errors.js';
import type { MergeConflict } from '../merge/index.js';
import type { Clock } from '../scheduler/index.js';

/** A job held by the `manual()` resolver, waiting for {@link SyncEngine.resolveConflicts}. */
export interface PendingDecision {
  jobId: string;
  sourceId: string;
  /** The conflicts still open: what earlier resolvers of a `chain` decided is not asked again. */
  conflicts: readonly MergeConflict[];
  /** When the resolver gives up and falls back, epoch milliseconds. */
  expiresAt: number;
}

/** What {@link SyncEngine.resolveConflicts} did with an answer. */
export interface ConflictAnswer {
  jobId: string;
  /** The decisions taken: the job goes on with them. */
  accepted: ConflictDecision[];
  /** Decisions that could not be used, each with the reason (a path that is not an open conflict, one decided twice, a bad `take`…). */
  refused: RejectedDecision[];
  /** Open conflicts the answer left undecided: the resolver's fallback decides them. */
  undecided: MergeConflict[];
}

/** What the resolve step asks for: a person's decisions on `conflicts` of a job, within `timeoutMs`. */
export interface DecisionRequest {
  jobId: string;
  sourceId: string;
  conflicts: readonly MergeConflict[];
  timeoutMs: number;
  signal: AbortSignal;
}

interface Waiter extends PendingDecision {
  settle: (decisions: ConflictDecision[] | undefined) => void;
}

/** The jobs waiting for a person's conflict decisions. */
export class PendingDecisions {
  readonly #clock: Clock;
  readonly #waiters = new Map<string, Waiter>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Hold a job until `answer` is called for it (resolves with the decisions), the timeout passes (`undefined`) or its signal aborts (rejects). */
  wait(request: DecisionRequest): Promise<ConflictDecision[] | undefined> {
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => settle(undefined), request.timeoutMs);
      const onAbort = (): void => {
        this.#clock.clearTimeout(timer);
        this.#waiters.delete(request.jobId);
        reject(request.signal.reason);
      };
      const settle = (decisions: ConflictDecision[] | undefined): void => {
        this.#clock.clearTimeout(timer);
        request.signal.removeEventListener('abort', onAbort);
        this.#waiters.delete(request.jobId);
        resolve(decisions);
      };
      if (request.signal.aborted) return onAbort();
      request.signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.set(request.jobId, {
        jobId: request.jobId,
        sourceId: request.sourceId,
        conflicts: request.conflicts,
        expiresAt: this.#clock.now() + request.timeoutMs,
        settle,
      });
    });
  }

  /** The jobs waiting, oldest first. */
  list(): PendingDecision[] {
    return [...this.#waiters.values()].map(({ jobId, sourceId, conflicts, expiresAt }) => ({ jobId, sourceId, conflicts, expiresAt }));
  }

  /**
   * Answer a waiting job: the usable decisions go to it, and the result says
   * which were taken, which were refused and why, and what stays undecided.
   * `JOB_NOT_FOUND` when no job with that id waits.
   */
  answer(jobId: string, decisions: readonly ConflictDecision[]): ConflictAnswer {
    const waiter = this.#waiters.get(jobId);
    if (!waiter) {
      throw new JobError('JOB_NOT_FOUND', `No job "${jobId}" is waiting for conflict decisions.`, {
        hint: 'See getPendingDecisions(); the job may have timed out and used its fallback.',
      });
    }
    if (!Array.isArray(decisions)) throw new ConfigError(`Expected an array of decisions, got ${typeof decisions}.`);
    const { valid, rejected } = validateDecisions(waiter.conflicts, decisions, 'manual');
    const decided = new Set(valid.map((d) => d.path));
    waiter.settle(valid);
    return { jobId, accepted: valid, refused: rejected, undecided: waiter.conflicts.filter((c) => !decided.has(c.path)) };
  }
}
