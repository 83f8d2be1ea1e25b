import { preferLocal, resolveConflicts, type ConflictDecision, type ConflictResolver } from '../conflict/index.js';

import { diffSpecs } from '../diff/index.js';
import { merge3, type MergeConflict } from '../merge/index.js';
import type { DiffFunction, MergeFunction, ResolveFunction } from './pipeline.js';
import { keepLocalDecisions } from './pipeline.js';
import { matchPointerPattern } from '../json/index.js';
import { applyDecisions } from '../conflict/index.js';

/** The three-way merge of the pipeline: `merge3` with the target's identity rules (the OpenAPI rules when it has none). */
export const defaultMerge: MergeFunction = (base, local, remote, rules) =>
  merge3(base === undefined ? {} : base, local, remote, rules === undefined ? {} : { rules });

const fallbackResolver: ConflictResolver = preferLocal();

/**
 * Run the binding's resolver (default `preferLocal()`), keep the local value
 * for anything it left undecided or decided invalidly, and apply the decisions.
 */
export function createResolveStep(
  awaitDecisions: (request: { jobId: string; sourceId: string; conflicts: readonly MergeConflict[]; timeoutMs: number; signal: AbortSignal }) => Promise<ConflictDecision[] | undefined>,
): ResolveFunction {
  return async (merged, conflicts, resolver, context) => {
    // Lasting "keep mine" decisions come first and are not offered to the resolver.
    const kept = conflicts.filter((c) => context.keepLocal.some((pattern) => matchPointerPattern(pattern, c.path)));
    const open = conflicts.filter((c) => !kept.includes(c));
    const { keepLocal: _keep, interactive, ...resolverContext } = context;
    const outcome = await resolveConflicts(resolver ?? fallbackResolver, open, {
      ...resolverContext,
      ...(interactive
        ? { awaitDecisions: (timeoutMs: number) => awaitDecisions({ jobId: context.jobId, sourceId: context.bindingId, conflicts: open, timeoutMs, signal: context.signal }) }
        : { awaitDecisions: async () => undefined }),
    });
    const decisions: ConflictDecision[] = [
      ...keepLocalDecisions(kept, 'Kept the local value (a lasting "keep mine" decision).'),
      ...outcome.decisions,
      ...keepLocalDecisions(outcome.undecided),
    ];
    return { document: applyDecisions(merged, conflicts, decisions), decisions };
  };
}

/** The semantic change list of the pipeline. */
export const defaultDiff: DiffFunction = (base, remote) => diffSpecs(base, remote);

