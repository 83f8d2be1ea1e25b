/**
 * The built-in strategies: keep local, take remote, chain, and ask a person.
 *
 * @module
 */
import { ConfigError, ConflictError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import type { MergeConflict } from '../merge/index.js';
import { runResolver } from './resolve.js';
import type { ConflictContext, ConflictDecision, ConflictResolver } from './types.js';

const MANUAL_KEYS = optionKeys<ManualOptions>()(['timeoutMs', 'fallback']);

/**
 * Keep the local value of every conflict: the user's working copy wins. This
 * is the engine's default resolver and the default fallback of `manual()`
 * and `openAIResolver()`.
 */
export function preferLocal(): ConflictResolver {
  return {
    name: 'prefer-local',
    resolve: (conflicts) =>
      conflicts.map((conflict) => ({
        path: conflict.path,
        take: 'local',
        reason: `prefer-local: kept the local value (${conflict.kind})`,
      })),
  };
}

/**
 * Take the remote value of every conflict: the live API wins, even where
 * that drops a local edit (a `changed-vs-deleted` conflict deletes the
 * locally changed value).
 */
export function preferRemote(): ConflictResolver {
  return {
    name: 'prefer-remote',
    resolve: (conflicts) =>
      conflicts.map((conflict) => ({
        path: conflict.path,
        take: 'remote',
        reason: `prefer-remote: took the remote value (${conflict.kind})`,
      })),
  };
}

/**
 * Ask resolvers in turn: each one sees only the conflicts the earlier ones
 * left undecided (or answered with an invalid decision), and the first valid
 * decision for a conflict wins. A resolver that throws fails the whole chain.
 *
 * @example
 * ```ts
 * chain(rules([{ match: { path: '**\/description' }, take: 'remote' }]), preferLocal())
 * ```
 */
export function chain(...resolvers: ConflictResolver[]): ConflictResolver {
  if (resolvers.length === 0) {
    throw new ConfigError('Expected chain() to get at least one resolver, got none.', {
      hint: 'Pass resolvers in the order they should be asked: chain(rules([...]), preferLocal()).',
    });
  }
  resolvers.forEach((resolver, index) => assertResolver(resolver, `chain() argument ${index + 1}`));
  return {
    name: `chain(${resolvers.map((resolver) => resolver.name).join(', ')})`,
    async resolve(conflicts, context) {
      const decisions: ConflictDecision[] = [];
      let open: readonly MergeConflict[] = conflicts;
      for (const resolver of resolvers) {
        if (open.length === 0) break;
        const outcome = await runResolver(resolver, open, context);
        decisions.push(...outcome.decisions);
        open = outcome.undecided;
      }
      return decisions;
    },
  };
}

/** Options of {@link manual}. */
export interface ManualOptions {
  /** How long to wait for a person's answer, in milliseconds. Default 15 minutes. */
  timeoutMs?: number;
  /** Decides what the person did not answer, and everything on timeout. Default `preferLocal()`. */
  fallback?: ConflictResolver;
}

/** Default of {@link ManualOptions.timeoutMs}: 15 minutes. */
export const DEFAULT_MANUAL_TIMEOUT_MS = 15 * 60 * 1000;

/**
 * Hold the job and wait for a person to answer through
 * `engine.resolveConflicts(jobId, decisions)`. What the person does not
 * answer (or answers invalidly), and everything when `timeoutMs` passes
 * without an answer, goes to `fallback`; so `manual()` always decides every
 * conflict. Needs the engine: outside it, `context.awaitDecisions` is
 * missing and resolving throws a `ConflictError` (`RESOLVER_FAILED`).
 */
export function manual(options: ManualOptions = {}): ConflictResolver {
  checkOptions('manual() options', options, MANUAL_KEYS);
  const timeoutMs = options.timeoutMs ?? DEFAULT_MANUAL_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigError(
      `Expected manual() \`timeoutMs\` to be a positive number of milliseconds, got ${String(timeoutMs)} (${typeof timeoutMs}).`,
      {
        hint: 'Pass how long a person may take to answer, e.g. { timeoutMs: 600_000 } for ten minutes.',
      },
    );
  }
  const fallback = options.fallback ?? preferLocal();
  assertResolver(fallback, 'manual() `fallback`');
  return {
    name: 'manual',
    async resolve(conflicts, context) {
      if (typeof context.awaitDecisions !== 'function') {
        throw new ConflictError(
          'RESOLVER_FAILED',
          "The manual() resolver was called without `context.awaitDecisions`; it needs the engine to hold the job and collect a person's answer.",
          {
            hint: 'Use manual() as the resolver of a SyncEngine, or supply `awaitDecisions` in the context when calling it yourself.',
            details: { sourceId: context.sourceId, jobId: context.jobId },
          },
        );
      }
      // Only what is still open reaches the person: earlier resolvers of a chain decided the rest.
      const answer = await context.awaitDecisions(timeoutMs, conflicts);
      if (answer === undefined) {
        return fallBack(fallback, conflicts, context, `no answer within ${timeoutMs} ms`);
      }
      const outcome = await runResolver({ name: 'manual', resolve: () => answer }, conflicts, context);
      if (outcome.undecided.length === 0) return outcome.decisions;
      const rest = await fallBack(fallback, outcome.undecided, context, 'not answered');
      return [...outcome.decisions, ...rest];
    },
  };
}

/** Ask `fallback`, prefixing each of its reasons with why it was asked. */
async function fallBack(
  fallback: ConflictResolver,
  conflicts: readonly MergeConflict[],
  context: ConflictContext,
  why: string,
): Promise<ConflictDecision[]> {
  const outcome = await runResolver(fallback, conflicts, context);
  return outcome.decisions.map((decision) => ({ ...decision, reason: `${why}; ${decision.reason}` }));
}

/** Throw a ConfigError unless `value` looks like a ConflictResolver. */
export function assertResolver(value: unknown, where: string): asserts value is ConflictResolver {
  const candidate = value as Partial<ConflictResolver> | null | undefined;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.resolve !== 'function' ||
    typeof candidate.name !== 'string'
  ) {
    throw new ConfigError(
      `Expected ${where} to be a resolver ({ name: string, resolve(conflicts, context) }), got ${candidate === null ? 'null' : typeof candidate}.`,
      {
        hint: 'Pass a built-in strategy such as preferLocal(), or an object with a `name` and a `resolve` method.',
      },
    );
  }
}
