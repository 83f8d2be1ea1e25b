/**
 * Running one resolver safely.
 *
 * @module
 */
import { ConflictError, describeThrown, isSyncError } from '../errors.js';
import type { MergeConflict } from '../merge/index.js';
import type { ConflictContext, ConflictResolver, ResolveOutcome } from './types.js';
import { validateDecisions } from './validate.js';

/** Library errors that pass through `runResolver` unwrapped: they already say what happened. */
const PASS_THROUGH = new Set(['RESOLVER_FAILED', 'JOB_CANCELLED', 'ENGINE_STOPPED']);

/**
 * Run `resolver` on `conflicts`, validate its answer with
 * {@link validateDecisions}, and split the conflicts into decided and
 * undecided. Each decision carries the name of the resolver that made it
 * (the innermost one, for composed strategies).
 *
 * Throws a `ConflictError` with code `RESOLVER_FAILED` (the original error as
 * `cause`) when the resolver throws or returns something that is not an
 * array. Invalid decisions never throw: they come back in `rejected` and
 * their conflicts in `undecided`.
 */
export async function runResolver(
  resolver: ConflictResolver,
  conflicts: readonly MergeConflict[],
  context: ConflictContext,
): Promise<ResolveOutcome> {
  if (conflicts.length === 0) return { decisions: [], undecided: [], rejected: [] };
  let answer: unknown;
  try {
    answer = await resolver.resolve(conflicts, context);
  } catch (error) {
    if (isSyncError(error) && PASS_THROUGH.has(error.code)) throw error;
    throw new ConflictError(
      'RESOLVER_FAILED',
      `The resolver "${resolver.name}" threw while deciding ${conflicts.length} conflict(s): ${describeThrown(error)}`,
      {
        cause: error,
        hint: 'Fix the resolver, or put it in a chain() after a strategy that decides these conflicts.',
        details: {
          resolver: resolver.name,
          adapter: resolver.name,
          sourceId: context.sourceId,
          jobId: context.jobId,
          conflicts: conflicts.length,
        },
      },
    );
  }
  if (!Array.isArray(answer)) {
    throw new ConflictError(
      'RESOLVER_FAILED',
      `The resolver "${resolver.name}" returned ${answer === null ? 'null' : typeof answer}; expected an array of decisions.`,
      {
        hint: 'A resolver returns an array (possibly empty) of { path, take, reason } decisions.',
        details: { resolver: resolver.name, sourceId: context.sourceId, jobId: context.jobId },
      },
    );
  }
  const { valid, rejected } = validateDecisions(conflicts, answer, resolver.name);
  const decided = new Set(valid.map((decision) => decision.path));
  const order = new Map(conflicts.map((conflict, index) => [conflict.path, index]));
  valid.sort((a, b) => (order.get(a.path) ?? 0) - (order.get(b.path) ?? 0));
  return { decisions: valid, undecided: conflicts.filter((conflict) => !decided.has(conflict.path)), rejected };
}

/**
 * The old name of {@link runResolver}, kept for one minor version.
 *
 * @deprecated Use {@link runResolver}: `resolveConflicts` is the engine's
 * method that answers a held job (`engine.resolveConflicts(jobId, decisions)`);
 * the free function that runs one resolver is `runResolver`. Removed in 0.3.
 */
export const resolveConflicts: typeof runResolver = runResolver;
