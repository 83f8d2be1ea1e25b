/**
 * The store adapter contract: what the engine persists between syncs.
 *
 * @module
 */
import type { FetchValidators } from '../sources/index.js';

/** The remote document as it was at the last successful sync of a binding: the merge's common ancestor. */
export interface BaseRecord {
  /** The document as loaded (OpenAPI 3.x, `$ref`s as written). */
  document: unknown;
  /** Its canonical hash. */
  hash: string;
  /** When it was saved, in epoch milliseconds (engine clock). */
  savedAt: number;
}

/**
 * Persistence for bases, fetch validators and any other per-binding record
 * (journal, decisions, tombstones, identity maps) under a string key. Values
 * are plain JSON. Implementations must make each write atomic: after a crash
 * a reader sees the old value or the new one, never a mix. The engine passes
 * only valid binding ids (`isValidBindingId`); a store that maps ids to paths
 * or keys should check them too (`assertBindingId`), as `FileStore` does.
 */
export interface SyncStore {
  /** The base of a binding, or `undefined` before its first successful sync. */
  getBase(bindingId: string): Promise<BaseRecord | undefined>;
  /** Replace the base of a binding. */
  saveBase(bindingId: string, record: BaseRecord): Promise<void>;
  /** The validators of the last successful fetch, or `{}`. */
  getValidators(bindingId: string): Promise<FetchValidators>;
  /** Replace the validators of a binding. */
  saveValidators(bindingId: string, validators: FetchValidators): Promise<void>;
  /**
   * Read any other JSON record of a binding. Callers treat the value as
   * read-only (a store may hand out the value it holds, as `MemoryStore`
   * does, frozen).
   */
  getRecord<T = unknown>(bindingId: string, key: string): Promise<T | undefined>;
  /** Write any other JSON record of a binding. */
  setRecord(bindingId: string, key: string, value: unknown): Promise<void>;
  /**
   * Remove one record of a binding (nothing happens when it does not exist).
   * Optional: without it, the engine writes `null` over records it no longer
   * needs (journal entries beyond the limit).
   */
  deleteRecord?(bindingId: string, key: string): Promise<void>;
  /** Forget everything about a binding. */
  deleteBinding(bindingId: string): Promise<void>;
  /** Release resources. */
  close?(): Promise<void>;
}
