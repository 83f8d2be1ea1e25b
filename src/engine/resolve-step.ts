import { applyDecisions, preferLocal, resolveConflicts, type ConflictDecision, type ConflictResolver } from '../conflict/index.js';
import { matchPointerPattern } from '../json/index.js';
import type { MergeConflict } from '../merge/index.js';
import type { PendingDecisions } from './decisions.js';

/** What the resolve step gets besides the merged document and conflicts. */
export interface ResolveContext {
  bindingId: string;
  jobId: string;
  base: unknown;
  local: unknown;
  remote: unknown;
  changes: readonly unknown[];
  signal: AbortSignal;
  /** JSON Pointer patterns whose conflicts always keep the local value (lasting decisions). */
  keepLocal: readonly string[];
  /** The engine's waiting list for `manual()`; absent for plans, where a manual resolver must not wait for a person. */
  pending: PendingDecisions | undefined;
}

const fallbackResolver: ConflictResolver = preferLocal();

/** Until a resolver is configured, a conflict keeps the local value. */
export function keepLocalDecisions(conflicts: readonly MergeConflict[], reason = 'Kept the local value (default).'): ConflictDecision[] {
  return conflicts.map((c) => ({ path: c.path, take: 'local' as const, reason, resolver: 'preferLocal' }));
}

/**
 * Run the binding's resolver (default `preferLocal()`) over the conflicts,
 * keep the local value for anything it left undecided or decided invalidly,
 * and apply the decisions to the merged document.
 */
export async function resolveStep(
  merged: unknown,
  conflicts: readonly MergeConflict[],
  resolver: ConflictResolver | undefined,
  context: ResolveContext,
): Promise<{ document: unknown; decisions: ConflictDecision[] }> {
  // Lasting "keep mine" decisions come first and are not offered to the resolver.
  const kept = conflicts.filter((c) => context.keepLocal.some((pattern) => matchPointerPattern(pattern, c.path)));
  const open = conflicts.filter((c) => !kept.includes(c));
  const { keepLocal: _keep, pending, ...resolverContext } = context;
  const outcome = await resolveConflicts(resolver ?? fallbackResolver, open, {
    ...resolverContext,
    awaitDecisions: async (timeoutMs: number, asked?: readonly MergeConflict[]) =>
      pending?.wait({ jobId: context.jobId, sourceId: context.bindingId, conflicts: asked ?? open, timeoutMs, signal: context.signal }),
  });
  const decisions: ConflictDecision[] = [
    ...keepLocalDecisions(kept, 'Kept the local value (a lasting "keep mine" decision).'),
    ...outcome.decisions,
    ...keepLocalDecisions(outcome.undecided),
  ];
  return { document: applyDecisions(merged, conflicts, decisions), decisions };
}
