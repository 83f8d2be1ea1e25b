import fastJsonPatch from 'fast-json-patch';
import { adapterFailure, JobError } from '../errors.js';
import type { Clock } from '../scheduler/index.js';

import type { SyncStore } from '../store/index.js';
import type { SyncFence, TargetWriteReport } from '../targets/index.js';
import { commitJournal, discardJournal, getBeforeBytes, getJournal, prepareJournal, storeBytes } from './journal.js';
import { diffPatch, journalLimitsOf, recoverBinding, snapshotOf, targetContextOf, type PipelineBinding } from './pipeline.js';
import type { JournalEntry } from './types.js';
import { canonicalHash } from '../json/index.js';

/**
 * Why a rollback was refused: `details.reason` of `ROLLBACK_REFUSED`.
 * `busy`: the binding has a job; `local-changed`: the local copy changed since
 * the last sync (`force` overrides it); `patch-failed`: the journal does not
 * apply to the forced local copy; the others name what is missing.
 */
export type RollbackRefusal =
  'busy' | 'no-journal' | 'unknown-entry' | 'first-sync' | 'no-base' | 'local-missing' | 'local-changed' | 'patch-failed';

/**
 * Restore a binding's local copy and base as they were before journal entry
 * `toJournalId` (default: the newest) by applying the reverse patches of it
 * and every later entry, then record the rollback as a new journal entry.
 * Undoing the newest entry over the copy it wrote restores the file byte for
 * byte when the journal kept the bytes the target held before it and the
 * target can restore bytes; otherwise the restored value is written. Written ahead like a sync: a crash at any point
 * leaves the old state or the rolled-back one, with a journal that says
 * which. Throws `ROLLBACK_REFUSED` when that would lose something. The
 * caller makes sure no job of the binding runs meanwhile; under a lease it
 * passes the lease's `fence`, which every target call gets as a sync's do.
 */
export async function rollbackBinding(
  binding: PipelineBinding,
  store: SyncStore,
  clock: Clock,
  toJournalId: string | undefined,
  force: boolean,
  fence?: SyncFence,
): Promise<JournalEntry> {
  const sourceId = binding.id;
  // `reason` names the refusal for callers that word their own hint (the CLI's `--force`).
  const refuse = (reason: RollbackRefusal, message: string, hint: string): never => {
    throw new JobError('ROLLBACK_REFUSED', message, {
      hint,
      details: { sourceId, reason, ...(toJournalId === undefined ? {} : { toJournalId }) },
    });
  };
  const signal = new AbortController().signal;
  // A sync a crash interrupted is settled first, so the newest entry is the last thing that happened.
  await recoverBinding(binding, { store, clock }, signal, fence);
  const journal = await getJournal(store, sourceId);
  const newest = journal[journal.length - 1];
  if (!newest) return refuse('no-journal', `"${sourceId}" has no journal entries to roll back.`, 'Only applied syncs can be rolled back.');
  const index = toJournalId === undefined ? journal.length - 1 : journal.findIndex((e) => e.id === toJournalId);
  const target = journal[index];
  if (!target)
    return refuse(
      'unknown-entry',
      `"${sourceId}" has no journal entry "${toJournalId}".`,
      `Known entries: ${journal.map((e) => e.id).join(', ')}.`,
    );
  const undone = journal.slice(index).reverse();
  if (undone.some((e) => e.firstSync))
    refuse(
      'first-sync',
      `Rolling back to before ${target.id} would undo the first sync of "${sourceId}", which had no local copy to restore.`,
      'Roll back to a later entry, or delete the local copy yourself.',
    );
  const context = targetContextOf(binding, store, signal, fence);
  const base = await store.getBase(sourceId);
  if (!base) return refuse('no-base', `"${sourceId}" has no base to roll back.`, 'Sync it first.');
  // Read as a sync reads, with its render of the base (a target may use it to read: the Hoppscotch target does).
  const rendered = await Promise.resolve()
    .then(() => binding.target.render(base.document, context))
    .catch(() => undefined);
  const local = await Promise.resolve()
    .then(() => binding.target.read(context, { rendered: rendered === undefined ? [] : [rendered] }))
    .catch((error: unknown) => {
      throw adapterFailure('target', binding.target.kind, error, 'reading the local copy for a rollback', {
        details: { bindingId: sourceId },
      });
    });
  if (local === undefined)
    return refuse('local-missing', `The local copy of "${sourceId}" is missing.`, 'Restore the file, then roll back.');
  const unchanged = canonicalHash(local) === newest.writtenHash;
  if (!force && !unchanged) {
    refuse(
      'local-changed',
      `The local copy of "${sourceId}" changed since the last sync; rolling back would lose those edits.`,
      'Pass { force: true } to roll back anyway (the edits are recorded in the new journal entry and can be restored by rolling that back).',
    );
  }
  let restoredLocal: unknown = local;
  let restoredBase: unknown = base.document;
  try {
    for (const entry of undone) {
      // Copies of both: stores may hand out frozen values, and patch values are inserted as they are.
      restoredLocal = fastJsonPatch.applyPatch(
        structuredClone(restoredLocal),
        structuredClone(entry.localPatch) as fastJsonPatch.Operation[],
        true,
        true,
      ).newDocument;
      restoredBase = fastJsonPatch.applyPatch(
        structuredClone(restoredBase),
        structuredClone(entry.basePatch) as fastJsonPatch.Operation[],
        true,
        true,
      ).newDocument;
    }
  } catch (error) {
    return refuse(
      'patch-failed',
      `The journal of "${sourceId}" does not apply to the current local copy: ${(error as Error).message}`,
      'Roll back with force only to the newest entry, or restore the file from version control.',
    );
  }
  // Byte for byte when undoing the newest entry over the copy it wrote: the bytes are exactly the state before it.
  // Further back (or over later edits) the patches restore values, keeping what happened in between.
  const exact = undone.length === 1 && unchanged && binding.target.restore !== undefined;
  const bytes = exact ? await getBeforeBytes(store, sourceId, target.id) : undefined;
  const hash = canonicalHash(restoredBase);
  const limits = journalLimitsOf(binding.policy);
  const entry: Omit<JournalEntry, 'id'> = {
    sourceId,
    kind: 'rollback',
    at: clock.now(),
    rolledBack: target.id,
    hash,
    previousHash: base.hash,
    writtenHash: canonicalHash(restoredLocal),
    changes: [],
    decisions: [],
    localPatch: diffPatch(restoredLocal, local),
    basePatch: diffPatch(restoredBase, base.document),
    firstSync: false,
  };
  binding.journalChecked = false;
  const { pending } = await prepareJournal(store, sourceId, entry, {
    before: snapshotOf(binding, context),
    forwardBasePatch: diffPatch(base.document, restoredBase),
  });
  let report: TargetWriteReport | void;
  try {
    report =
      bytes !== undefined && binding.target.restore
        ? await binding.target.restore(bytes, context)
        : await binding.target.write(restoredLocal, context);
  } catch (error) {
    await discardJournal(store, sourceId, pending);
    binding.journalChecked = true;
    throw adapterFailure('target', binding.target.kind, error, 'writing a rollback', {
      retryable: false,
      details: { bindingId: sourceId },
    });
  }
  binding.lastBase = undefined;
  await store.saveBase(sourceId, { document: restoredBase, hash, savedAt: clock.now() });
  const committed = await commitJournal(
    store,
    sourceId,
    pending,
    limits,
    report?.displaced === undefined ? undefined : { displaced: storeBytes(report.displaced) },
  );
  binding.journalChecked = true;
  return committed;
}
