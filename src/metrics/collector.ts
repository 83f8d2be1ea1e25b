import type { SyncCounters } from './types.js';

/** How many recent durations the percentiles are computed over, per binding and in total. */
export const DURATION_WINDOW = 1024;

/** A fixed-size ring of recent durations. */
class DurationWindow {
  readonly #values: number[] = [];
  readonly #size: number;
  #next = 0;

  constructor(size: number) {
    this.#size = size;
  }

  push(value: number): void {
    if (this.#values.length < this.#size) this.#values.push(value);
    else this.#values[this.#next] = value;
    this.#next = (this.#next + 1) % this.#size;
  }

  /** Nearest-rank percentile, `p` in (0, 100]. */
  percentile(p: number): number {
    return this.percentiles([p])[0] as number;
  }

  /** Several nearest-rank percentiles from one sort. */
  percentiles(ps: readonly number[]): number[] {
    if (this.#values.length === 0) return ps.map(() => 0);
    const sorted = Float64Array.from(this.#values).sort();
    return ps.map((p) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] ?? 0);
  }
}

/** Mutable counters of one scope (a binding or the total). */
class Scope {
  totalSyncs = 0;
  successfulSyncs = 0;
  failedSyncs = 0;
  appliedSyncs = 0;
  unchangedSkips = 0;
  heldSyncs = 0;
  conflicts = 0;
  retries = 0;
  attempts = 0;
  durationSum = 0;
  lastSyncTime: number | undefined;
  readonly durations = new DurationWindow(DURATION_WINDOW);

  snapshot(): SyncCounters {
    const [p50, p95, p99] = this.durations.percentiles([50, 95, 99]) as [number, number, number];
    return {
      totalSyncs: this.totalSyncs,
      successfulSyncs: this.successfulSyncs,
      failedSyncs: this.failedSyncs,
      appliedSyncs: this.appliedSyncs,
      unchangedSkips: this.unchangedSkips,
      heldSyncs: this.heldSyncs,
      conflicts: this.conflicts,
      retries: this.retries,
      attempts: this.attempts,
      averageSyncTime: this.attempts === 0 ? 0 : this.durationSum / this.attempts,
      p50SyncTime: p50,
      p95SyncTime: p95,
      p99SyncTime: p99,
      lastSyncTime: this.lastSyncTime,
    };
  }
}

/** How a run ended, as the collector counts it. */
export type RunOutcome = 'applied' | 'unchanged' | 'held' | 'failed';

/**
 * Counts runs, retries and conflicts per binding and in total. The engine
 * owns one; {@link MetricsCollector.snapshot} is what `getMetrics()` builds on.
 */
export class MetricsCollector {
  readonly #total = new Scope();
  readonly #perSource = new Map<string, Scope>();

  /** The last scope looked up: a job's attempt and its end usually come one after the other. */
  #lastId: string | undefined;
  #lastScope: Scope | undefined;

  #scope(sourceId: string): Scope {
    if (sourceId === this.#lastId && this.#lastScope) return this.#lastScope;
    let scope = this.#perSource.get(sourceId);
    if (!scope) {
      scope = new Scope();
      this.#perSource.set(sourceId, scope);
    }
    this.#lastId = sourceId;
    this.#lastScope = scope;
    return scope;
  }

  /** Record one attempt's duration (successful or not). */
  recordAttempt(sourceId: string, durationMs: number): void {
    this.#attempt(this.#total, durationMs);
    this.#attempt(this.#scope(sourceId), durationMs);
  }

  /** Record the end of a run. */
  recordRun(sourceId: string, outcome: RunOutcome, at: number): void {
    this.#run(this.#total, outcome, at);
    this.#run(this.#scope(sourceId), outcome, at);
  }

  #attempt(scope: Scope, durationMs: number): void {
    scope.attempts += 1;
    scope.durationSum += durationMs;
    scope.durations.push(durationMs);
  }

  #run(scope: Scope, outcome: RunOutcome, at: number): void {
    scope.totalSyncs += 1;
    scope.lastSyncTime = at;
    if (outcome === 'failed') scope.failedSyncs += 1;
    else scope.successfulSyncs += 1;
    if (outcome === 'applied') scope.appliedSyncs += 1;
    else if (outcome === 'unchanged') scope.unchangedSkips += 1;
    else if (outcome === 'held') scope.heldSyncs += 1;
  }

  /** Record a scheduled retry. */
  recordRetry(sourceId: string): void {
    this.#total.retries += 1;
    this.#scope(sourceId).retries += 1;
  }

  /** Record conflicts found by a merge. */
  recordConflicts(sourceId: string, count: number): void {
    this.#total.conflicts += count;
    this.#scope(sourceId).conflicts += count;
  }

  /** Forget a binding's own counters (the totals keep them). */
  forget(sourceId: string): void {
    this.#perSource.delete(sourceId);
    if (this.#lastId === sourceId) this.#lastId = this.#lastScope = undefined;
  }

  /** Counters in total and per binding. */
  snapshot(): { total: SyncCounters; perSource: Record<string, SyncCounters> } {
    const perSource: Record<string, SyncCounters> = {};
    for (const [id, scope] of this.#perSource) perSource[id] = scope.snapshot();
    return { total: this.#total.snapshot(), perSource };
  }
}
