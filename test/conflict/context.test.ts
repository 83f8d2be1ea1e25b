/**
 * `createConflictContext` (api-live-sync/testing): one resolver tested
 * alone, the way docs/testing.md shows it, with no engine.
 */
import { describe, expect, it } from 'vitest';
import { manual, runResolver, type ConflictResolver, type MergeConflict } from '../../src/index.js';
import { createConflictContext } from '../../src/testing/index.js';

const summary: MergeConflict = {
  path: '/paths/~1pets/get/summary',
  kind: 'both-changed',
  base: 'List pets',
  local: 'Mine',
  remote: 'Theirs',
};

/** A resolver of the kind a user writes: it reads the context's local document. */
const keepWhenLocalIsDraft: ConflictResolver = {
  name: 'keep-drafts',
  resolve: (conflicts, context) =>
    (context.local as { info?: { 'x-draft'?: boolean } } | undefined)?.info?.['x-draft'] === true
      ? conflicts.map((c) => ({ path: c.path, take: 'local' as const, reason: 'the local copy is a draft' }))
      : [],
};

describe('createConflictContext', () => {
  it('gives every field a default: ids, no documents, no changes, a live signal, no person', () => {
    const context = createConflictContext();
    expect(context).toMatchObject({
      sourceId: 'test',
      bindingId: 'test',
      jobId: 'test-job',
      base: undefined,
      local: undefined,
      remote: undefined,
      changes: [],
    });
    expect(context.signal.aborted).toBe(false);
    expect(context.awaitDecisions).toBeUndefined();
  });

  it('runs a user resolver alone over the documents it is given', async () => {
    const draft = await runResolver(keepWhenLocalIsDraft, [summary], createConflictContext({ local: { info: { 'x-draft': true } } }));
    expect(draft.decisions).toEqual([{ path: summary.path, take: 'local', reason: 'the local copy is a draft', resolver: 'keep-drafts' }]);
    const released = await runResolver(keepWhenLocalIsDraft, [summary], createConflictContext({ local: { info: {} } }));
    expect(released.undecided).toEqual([summary]);
  });

  it('plays the person for manual() through awaitDecisions', async () => {
    const context = createConflictContext({ awaitDecisions: async () => [{ path: summary.path, take: 'remote', reason: 'reviewed' }] });
    const outcome = await runResolver(manual(), [summary], context);
    expect(outcome.decisions).toEqual([{ path: summary.path, take: 'remote', reason: 'reviewed', resolver: 'manual' }]);
  });
});
