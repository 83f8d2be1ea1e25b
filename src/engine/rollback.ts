import fastJsonPatch from 'fast-json-patch';
import { JobError } from '../errors.js';
import type { Clock } from '../scheduler/index.js';
import { canonicalHash } from '../spec/index.js';
import type { SyncStore } from '../store/index.js';
import { diffPatch, targetContextOf, type PipelineBinding } from './pipeline.js';
import { appendJournal, getJournal } from './records.js';
import type { JournalEntry } from './types.js';

/**
 * Restore a binding's local copy and base as they were before journal entry
 * `toJournalId` (default: the newest) by applying the reverse patches of it
 * and every later entry, then record the rollback as a new journal entry.
 * Throws `ROLLBACK_REFUSED` when that would lose something. The caller makes
 * sure no job of the binding runs meanwhile.
 */
export async function rollbackBinding(binding: PipelineBinding, store: SyncStore, clock: Clock, toJournalId: string | undefined, force: boolean): Promise<JournalEntry> {
  const sourceId = binding.id;
  const refuse = (message: string, hint: string): never => {
    throw new JobError('ROLLBACK_REFUSED', message, { hint, details: { sourceId, ...(toJournalId === undefined ? {} : { toJournalId }) } });
  };
  const journal = await getJournal(store, sourceId);
  const newest = journal[journal.length - 1];
  if (!newest) return refuse(`"${sourceId}" has no journal entries to roll back.`, 'Only applied syncs can be rolled back.');
  const index = toJournalId === undefined ? journal.length - 1 : journal.findIndex((e) => e.id === toJournalId);
  const target = journal[index];
  if (!target) return refuse(`"${sourceId}" has no journal entry "${toJournalId}".`, `Known entries: ${journal.map((e) => e.id).join(', ')}.`);
  const undone = journal.slice(index).reverse();
  if (undone.some((e) => e.firstSync)) refuse(`Rolling back to before ${target.id} would undo the first sync of "${sourceId}", which had no local copy to restore.`, 'Roll back to a later entry, or delete the local copy yourself.');
  const context = targetContextOf(binding, store, new AbortController().signal);
  const local = await binding.target.read(context);
  if (local === undefined) return refuse(`The local copy of "${sourceId}" is missing.`, 'Restore the file, then roll back.');
  if (!force && canonicalHash(local) !== newest.writtenHash) {
    refuse(`The local copy of "${sourceId}" changed since the last sync; rolling back would lose those edits.`, 'Pass { force: true } to roll back anyway (the edits are recorded in the new journal entry and can be restored by rolling that back).');
  }
  const base = await store.getBase(sourceId);
  if (!base) return refuse(`"${sourceId}" has no base to roll back.`, 'Sync it first.');
  let restoredLocal: unknown = local;
  let restoredBase: unknown = base.document;
  try {
    for (const entry of undone) {
      // Copies of both: stores may hand out frozen values, and patch values are inserted as they are.
      restoredLocal = fastJsonPatch.applyPatch(structuredClone(restoredLocal), structuredClone(entry.localPatch) as fastJsonPatch.Operation[], true, true).newDocument;
      restoredBase = fastJsonPatch.applyPatch(structuredClone(restoredBase), structuredClone(entry.basePatch) as fastJsonPatch.Operation[], true, true).newDocument;
    }
  } catch (error) {
    return refuse(`The journal of "${sourceId}" does not apply to the current local copy: ${(error as Error).message}`, 'Roll back with force only to the newest entry, or restore the file from version control.');
  }
  await binding.target.write(restoredLocal, context);
  const hash = canonicalHash(restoredBase);
  binding.lastBase = undefined;
  await store.saveBase(sourceId, { document: restoredBase, hash, savedAt: clock.now() });
  return appendJournal(store, sourceId, binding.policy.journalLimit, {
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
  });
}
