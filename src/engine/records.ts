import { assertBindingId } from '../binding-id.js';
import { ConfigError } from '../errors.js';
import type { SyncStore } from '../store/index.js';
import type { BindingDecisions, DecisionsFile, JournalEntry } from './types.js';

/** Store record keys the engine uses, besides the base and validators. */
export const RECORD_KEYS = Object.freeze({ journal: 'journal', decisions: 'decisions' });

/**
 * The journal's index record: entry ids, oldest first. Each entry is its
 * own record (`journal.<id>`), so appending writes one entry and a short
 * index instead of rewriting every entry (reverse patches of a large spec
 * run to megabytes; with the default limit of 50 the whole journal would be
 * read and rewritten on every sync).
 */
interface JournalIndex {
  v: 2;
  ids: string[];
}

/** The store key of one journal entry. */
export function journalEntryKey(id: string): string {
  return `${RECORD_KEYS.journal}.${id}`;
}

/** The index, or the entries of a journal written in the first format (one record holding every entry). */
async function readIndex(store: SyncStore, bindingId: string): Promise<{ ids: string[]; legacy?: JournalEntry[] }> {
  const value = await store.getRecord<JournalIndex | JournalEntry[]>(bindingId, RECORD_KEYS.journal);
  if (value === undefined || value === null) return { ids: [] };
  if (Array.isArray(value)) return { ids: value.map((entry) => entry.id), legacy: value };
  return { ids: [...value.ids] };
}

/** The journal of a binding, oldest first. */
export async function getJournal(store: SyncStore, bindingId: string): Promise<JournalEntry[]> {
  const { ids, legacy } = await readIndex(store, bindingId);
  if (legacy) return legacy;
  const entries = await Promise.all(ids.map((id) => store.getRecord<JournalEntry>(bindingId, journalEntryKey(id))));
  // An entry whose record is gone (removed by hand) is skipped rather than failing the whole journal.
  return entries.filter((entry): entry is JournalEntry => entry !== undefined && entry !== null);
}

/**
 * Append an entry (its id assigned here), keeping at most `limit` entries.
 * The entry is written before the index that names it, and dropped entries
 * are deleted after: a crash in between leaves at worst an unreferenced
 * record, never an index naming a missing entry. Returns the entry.
 */
export async function appendJournal(store: SyncStore, bindingId: string, limit: number, entry: Omit<JournalEntry, 'id'>): Promise<JournalEntry> {
  const { ids, legacy } = await readIndex(store, bindingId);
  if (legacy) {
    // First format: move each entry to its own record.
    for (const old of legacy) await store.setRecord(bindingId, journalEntryKey(old.id), old);
  }
  const last = ids[ids.length - 1];
  const number = last === undefined ? 1 : Number(last.slice(2)) + 1;
  const full: JournalEntry = { id: `j-${number}`, ...entry };
  await store.setRecord(bindingId, journalEntryKey(full.id), full);
  ids.push(full.id);
  const dropped = ids.splice(0, Math.max(0, ids.length - limit));
  const index: JournalIndex = { v: 2, ids };
  await store.setRecord(bindingId, RECORD_KEYS.journal, index);
  for (const id of dropped) await deleteRecord(store, bindingId, journalEntryKey(id));
  return full;
}

/** Delete a record, or blank it on a store without `deleteRecord`. */
async function deleteRecord(store: SyncStore, bindingId: string, key: string): Promise<void> {
  if (store.deleteRecord) await store.deleteRecord(bindingId, key);
  else await store.setRecord(bindingId, key, null);
}

/** Empty lasting decisions. */
export function emptyDecisions(): BindingDecisions {
  return { ignoredOperations: [], keepLocal: [], tombstones: [] };
}

/** The lasting decisions of a binding. */
export async function getDecisions(store: SyncStore, bindingId: string): Promise<BindingDecisions> {
  return { ...emptyDecisions(), ...((await store.getRecord<Partial<BindingDecisions>>(bindingId, RECORD_KEYS.decisions)) ?? {}) };
}

/** Replace the lasting decisions of a binding (deduplicated, sorted). */
export async function setDecisions(store: SyncStore, bindingId: string, decisions: BindingDecisions): Promise<void> {
  const clean = (list: readonly string[]) => [...new Set(list)].sort();
  await store.setRecord(bindingId, RECORD_KEYS.decisions, {
    ignoredOperations: clean(decisions.ignoredOperations),
    keepLocal: clean(decisions.keepLocal),
    tombstones: clean(decisions.tombstones),
  });
}

const OPERATION = /^(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE) \/\S*$/;

/**
 * Check a decisions file from outside (a teammate's, a repository's):
 * throws `CONFIG_INVALID` naming the first problem (`BINDING_ID_INVALID`
 * for a key that is not a binding id).
 */
export function validateDecisionsFile(value: unknown): DecisionsFile {
  const fail = (message: string): never => {
    throw new ConfigError(`Invalid decisions file: ${message}`, { hint: 'Export a file with engine.exportDecisions() and edit only its lists.' });
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`expected an object, got ${Array.isArray(value) ? 'an array' : typeof value}.`);
  const file = value as Partial<DecisionsFile>;
  if (file.format !== 'api-live-sync/decisions') fail(`expected "format": "api-live-sync/decisions", got ${JSON.stringify(file.format)}.`);
  if (file.version !== 1) fail(`expected "version": 1, got ${JSON.stringify(file.version)}.`);
  if (!file.bindings || typeof file.bindings !== 'object' || Array.isArray(file.bindings)) fail('expected "bindings" to be an object keyed by binding id.');
  for (const [id, decisions] of Object.entries(file.bindings as Record<string, unknown>)) {
    assertBindingId(id, 'a binding id of the decisions file');
    if (!decisions || typeof decisions !== 'object') fail(`bindings.${id} must be an object.`);
    for (const list of ['ignoredOperations', 'keepLocal', 'tombstones'] as const) {
      const items = (decisions as Record<string, unknown>)[list] ?? [];
      if (!Array.isArray(items) || items.some((item) => typeof item !== 'string')) fail(`bindings.${id}.${list} must be an array of strings.`);
      if (list !== 'keepLocal') {
        const bad = (items as string[]).find((item) => !OPERATION.test(item));
        if (bad !== undefined) fail(`bindings.${id}.${list} holds ${JSON.stringify(bad)}; expected "METHOD /path" such as "GET /pets/{id}".`);
      } else {
        const bad = (items as string[]).find((item) => !item.startsWith('/') && item !== '' && !item.startsWith('**'));
        if (bad !== undefined) fail(`bindings.${id}.keepLocal holds ${JSON.stringify(bad)}; expected a JSON Pointer pattern such as "/paths/**/description".`);
      }
    }
  }
  return file as DecisionsFile;
}
