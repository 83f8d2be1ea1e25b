/**
 * A `ConflictContext` for testing one resolver alone, without an engine.
 *
 * @module
 */
import type { ConflictContext } from '../conflict/index.js';

/**
 * Build the context a resolver receives, for calling it (or `runResolver`)
 * directly in a unit test. Every field has a default you can override:
 * `sourceId` `'test'`, `jobId` `'test-job'`, `base`, `local` and `remote`
 * `undefined` (give the documents your resolver reads), `changes` `[]`, and
 * a `signal` that never aborts. There is no `awaitDecisions` unless you pass
 * one; `manual()` needs it, so play the person with
 * `awaitDecisions: async () => answers` (or `async () => undefined` for a
 * timeout).
 *
 * @example
 * ```ts
 * const context = createConflictContext({ local: myLocalDoc });
 * const outcome = await runResolver(myResolver, [conflict], context);
 * ```
 */
export function createConflictContext(fields: Partial<ConflictContext> = {}): ConflictContext {
  const sourceId = fields.sourceId ?? fields.bindingId ?? 'test';
  return {
    jobId: 'test-job',
    base: undefined,
    local: undefined,
    remote: undefined,
    changes: [],
    signal: new AbortController().signal,
    ...fields,
    sourceId,
    bindingId: sourceId,
  };
}
