/**
 * The sync journal, written ahead: an entry (with the bytes the target held
 * before) is prepared before the target is written and committed after the
 * base is saved, so a crash at any point leaves a journal that
 * {@link recoverJournal} can complete or drop, and `rollback` stays correct.
 *
 * Store records of a binding:
 * - `journal`: the index, `{ v: 2, ids }`, oldest first;
 * - `journal.<id>`: one entry;
 * - `journal.<id>.before`: the exact bytes the target held before that entry,
 *   kept for the newest `journalBytes` entries;
 * - `journal.pending`: the entry prepared and not yet committed.
 *
 * @module
 */
import { isUtf8 } from 'node:buffer';
import fastJsonPatch from 'fast-json-patch';
import { adapterFailure } from '../errors.js';
import type { FetchValidators } from '../sources/index.js';
import type { SyncStore } from '../store/index.js';
import type { SyncTarget, TargetContext } from '../targets/index.js';
import { RECORD_KEYS } from './records.js';
import type { JournalEntry, JsonPatchOperation, StoredBytes } from './types.js';
import { canonicalHash } from '../json/index.js';

/** The journal's index record: entry ids, oldest first. */
interface JournalIndex {
  v: 2;
  ids: string[];
}

/** The write-ahead record: an entry prepared before the target was written, not yet committed. */
export interface PendingJournal {
  v: 1;
  /** The prepared entry's id; its record is `journal.<id>`. */
  id: string;
  /**
   * The patch that turns the base before the sync into the base after it:
   * recovery saves the new base from it when the target was written and the
   * base was not. Absent on a first sync (no base to patch).
   */
  forwardBasePatch?: JsonPatchOperation[];
  /** The validators the sync saves with its base. */
  validators?: FetchValidators;
}

/** How many entries are kept, and how many of the newest keep the bytes they replaced. */
export interface JournalLimits {
  journalLimit: number;
  journalBytes: number;
}

const PENDING_KEY = `${RECORD_KEYS.journal}.pending`;

/** The store key of one journal entry. */
export function journalEntryKey(id: string): string {
  return `${RECORD_KEYS.journal}.${id}`;
}

/** The store key of the bytes a journal entry replaced. */
export function journalBytesKey(id: string): string {
  return `${RECORD_KEYS.journal}.${id}.before`;
}

/** Bytes as a JSON value: UTF-8 text when they are text (every built-in target's are), else base64. */
export function storeBytes(bytes: Uint8Array): StoredBytes {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isUtf8(buffer) ? { encoding: 'utf8', text: buffer.toString('utf8') } : { encoding: 'base64', data: buffer.toString('base64') };
}

/** The bytes a {@link StoredBytes} holds. */
export function loadBytes(stored: StoredBytes): Buffer {
  return stored.encoding === 'utf8' ? Buffer.from(stored.text, 'utf8') : Buffer.from(stored.data, 'base64');
}

/** The index, or the entries of a journal written in the first format (one record holding every entry). */
async function readIndex(store: SyncStore, bindingId: string): Promise<{ ids: string[]; legacy?: JournalEntry[] }> {
  const value = await store.getRecord<JournalIndex | JournalEntry[]>(bindingId, RECORD_KEYS.journal);
  if (value === undefined || value === null) return { ids: [] };
  if (Array.isArray(value)) return { ids: value.map((entry) => entry.id), legacy: value };
  return { ids: [...value.ids] };
}

/** The committed journal of a binding, oldest first. */
export async function getJournal(store: SyncStore, bindingId: string): Promise<JournalEntry[]> {
  const { ids, legacy } = await readIndex(store, bindingId);
  if (legacy) return legacy;
  const entries = await Promise.all(ids.map((id) => store.getRecord<JournalEntry>(bindingId, journalEntryKey(id))));
  // An entry whose record is gone (removed by hand) is skipped rather than failing the whole journal.
  return entries.filter((entry): entry is JournalEntry => entry !== undefined && entry !== null);
}

/** The bytes the target held before entry `id`, when they are still kept. */
export async function getBeforeBytes(store: SyncStore, bindingId: string, id: string): Promise<Buffer | undefined> {
  const stored = await store.getRecord<StoredBytes | null>(bindingId, journalBytesKey(id));
  return stored === undefined || stored === null ? undefined : loadBytes(stored);
}

/**
 * Write ahead: store the entry (its id assigned here, not yet in the index),
 * the bytes the target holds now, and the pending marker naming them, in
 * that order. Call before the target is written; then
 * {@link commitJournal} after the base is saved, or {@link discardJournal}
 * when the write failed.
 */
export async function prepareJournal(
  store: SyncStore,
  bindingId: string,
  entry: Omit<JournalEntry, 'id'>,
  extra: { before?: Uint8Array | undefined; forwardBasePatch?: JsonPatchOperation[] | undefined; validators?: FetchValidators | undefined },
): Promise<{ pending: PendingJournal; entry: JournalEntry }> {
  const { ids } = await readIndex(store, bindingId);
  const last = ids[ids.length - 1];
  const id = `j-${last === undefined ? 1 : Number(last.slice(2)) + 1}`;
  const full: JournalEntry = { id, ...entry };
  await store.setRecord(bindingId, journalEntryKey(id), full);
  if (extra.before !== undefined) await store.setRecord(bindingId, journalBytesKey(id), storeBytes(extra.before));
  else await deleteRecord(store, bindingId, journalBytesKey(id));
  const pending: PendingJournal = { v: 1, id };
  if (extra.forwardBasePatch !== undefined) pending.forwardBasePatch = extra.forwardBasePatch;
  if (extra.validators !== undefined) pending.validators = extra.validators;
  await store.setRecord(bindingId, PENDING_KEY, pending);
  return { pending, entry: full };
}

/**
 * Commit a prepared entry: name it in the index (dropping entries beyond the
 * limit, and the kept bytes of entries beyond `journalBytes`), then remove
 * the pending marker. `update` rewrites the entry first (bytes a write
 * displaced). Returns the entry.
 */
export async function commitJournal(
  store: SyncStore,
  bindingId: string,
  pending: PendingJournal,
  limits: JournalLimits,
  update?: Partial<JournalEntry>,
): Promise<JournalEntry> {
  let entry = await store.getRecord<JournalEntry>(bindingId, journalEntryKey(pending.id));
  if (entry === undefined || entry === null) throw new Error(`The prepared journal entry ${pending.id} is missing.`);
  if (update !== undefined) {
    entry = { ...entry, ...update };
    await store.setRecord(bindingId, journalEntryKey(pending.id), entry);
  }
  const { ids, legacy } = await readIndex(store, bindingId);
  if (legacy) {
    // First format: move each entry to its own record.
    for (const old of legacy) await store.setRecord(bindingId, journalEntryKey(old.id), old);
  }
  if (!ids.includes(pending.id)) ids.push(pending.id);
  const dropped = ids.splice(0, Math.max(0, ids.length - limits.journalLimit));
  const index: JournalIndex = { v: 2, ids };
  await store.setRecord(bindingId, RECORD_KEYS.journal, index);
  await deleteRecord(store, bindingId, PENDING_KEY);
  for (const id of dropped) {
    await deleteRecord(store, bindingId, journalEntryKey(id));
    await deleteRecord(store, bindingId, journalBytesKey(id));
  }
  // The entry that just fell out of the newest `journalBytes` keeps its patches, not its bytes.
  const bytesFrom = ids.length - limits.journalBytes;
  if (bytesFrom > 0) await deleteRecord(store, bindingId, journalBytesKey(ids[bytesFrom - 1] as string));
  return entry;
}

/** Drop a prepared entry whose write did not happen: the marker first, then what it names. */
export async function discardJournal(store: SyncStore, bindingId: string, pending: PendingJournal): Promise<void> {
  await deleteRecord(store, bindingId, PENDING_KEY);
  await deleteRecord(store, bindingId, journalEntryKey(pending.id));
  await deleteRecord(store, bindingId, journalBytesKey(pending.id));
}

/** What {@link recoverJournal} did with an entry a crash left prepared. */
export type JournalRecovery = { action: 'none' } | { action: 'committed' | 'dropped'; journalId: string; baseRestored?: boolean };

/**
 * Complete what a crash (or a failed store write) interrupted, from the
 * pending marker: when the target holds what the prepared entry wrote (or
 * the base was already saved, which happens only after the write), save the
 * base if it was not (from the forward patch) and commit the entry; when it
 * does not, the write never happened: drop the entry. Call only while no
 * job of the binding runs.
 */
export async function recoverJournal(
  store: SyncStore,
  bindingId: string,
  target: SyncTarget,
  context: TargetContext,
  limits: JournalLimits,
  now: number,
): Promise<JournalRecovery> {
  const pending = await store.getRecord<PendingJournal | null>(bindingId, PENDING_KEY);
  if (pending === undefined || pending === null) return { action: 'none' };
  const entry = await store.getRecord<JournalEntry | null>(bindingId, journalEntryKey(pending.id));
  const { ids } = await readIndex(store, bindingId);
  if (entry === undefined || entry === null || ids.includes(pending.id)) {
    // Committed already (the crash came before the marker was removed), or nothing to commit.
    await deleteRecord(store, bindingId, PENDING_KEY);
    return { action: 'none' };
  }
  const base = await store.getBase(bindingId);
  // The base is saved only after the target is written: then the write happened.
  const baseSaved = base?.hash === entry.hash;
  // The remote of the interrupted sync, from the base before it.
  let remote: unknown;
  if (!baseSaved && base !== undefined && pending.forwardBasePatch !== undefined && base.hash === entry.previousHash) {
    try {
      const document = fastJsonPatch.applyPatch(
        structuredClone(base.document),
        structuredClone(pending.forwardBasePatch) as fastJsonPatch.Operation[],
        true,
        true,
      ).newDocument;
      if (canonicalHash(document) === entry.hash) remote = document;
    } catch {
      // A patch that does not apply: the base stays; the next sync merges again.
    }
  }
  let written = baseSaved;
  if (!written) {
    // Read as a sync reads, with its renders of the remote and the base (a target may use them to read).
    const render = (document: unknown) =>
      Promise.resolve()
        .then(() => target.render(document, context))
        .catch(() => undefined);
    const rendered = [
      remote === undefined ? undefined : await render(remote),
      base === undefined ? undefined : await render(base.document),
    ].filter((r) => r !== undefined);
    const local = await Promise.resolve()
      .then(() => target.read(context, { rendered }))
      .catch((error: unknown) => {
        throw adapterFailure('target', target.kind, error, 'reading the local copy to settle an interrupted sync', {
          details: { bindingId },
        });
      });
    written = local !== undefined && canonicalHash(local) === entry.writtenHash;
  }
  if (!written) {
    await discardJournal(store, bindingId, pending);
    return { action: 'dropped', journalId: pending.id };
  }
  let baseRestored = false;
  if (remote !== undefined) {
    await store.saveBase(bindingId, { document: remote, hash: entry.hash, savedAt: now });
    if (pending.validators !== undefined) await store.saveValidators(bindingId, pending.validators);
    baseRestored = true;
  }
  await commitJournal(store, bindingId, pending, limits);
  return { action: 'committed', journalId: pending.id, baseRestored };
}

/** Delete a record, or blank it on a store without `deleteRecord`. */
async function deleteRecord(store: SyncStore, bindingId: string, key: string): Promise<void> {
  if (store.deleteRecord) await store.deleteRecord(bindingId, key);
  else await store.setRecord(bindingId, key, null);
}
