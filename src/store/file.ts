import { mkdir, readdir, rm, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertBindingId } from '../binding-id.js';
import { BindingError, ConfigError, StoreError, isSyncError } from '../errors.js';
import { checkOptions, optionKeys } from '../options.js';
import { openRegularFile } from '../document/index.js';
import type { FetchValidators } from '../sources/index.js';
import { TEMP_SUFFIX, writeFileAtomic } from './atomic.js';
import type { BaseRecord, SyncStore } from './types.js';

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /** The directory that holds everything. Created when missing. */
  dir: string;
  /** Indentation of the JSON files; `0` writes them compact. Default 0. */
  indent?: number;
}

const FILE_STORE_KEYS = optionKeys<FileStoreOptions>()(['dir', 'indent']);

const KEY_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
/** The longest file name most file systems take (ext4, APFS, NTFS: 255 bytes or UTF-16 units). */
const MAX_NAME_BYTES = 255;

/**
 * The directory name of a binding: its id URI-encoded (as stores have always
 * been laid out), and the dots of a name made only of dots encoded too, so
 * that no id maps to `.`, `..` or another path step even when a caller skips
 * the id check. Throws `BINDING_ID_INVALID` for an id that is not a binding
 * id, or whose name would be too long for a file system.
 */
function directoryName(bindingId: string): string {
  assertBindingId(bindingId);
  const encoded = encodeURIComponent(bindingId);
  const name = /^\.+$/.test(encoded) ? encoded.replaceAll('.', '%2E') : encoded;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw new BindingError(
      'BINDING_ID_INVALID',
      `The binding id ${JSON.stringify(bindingId.slice(0, 40))}… encodes to a directory name of ${Buffer.byteLength(name)} bytes, over the ${MAX_NAME_BYTES} a file system takes.`,
      {
        hint: "Use a shorter id: the store writes each UTF-8 byte of a character outside A-Z, a-z, 0-9 and - _ . ! ~ * ' ( ) as three (%XX).",
        details: { id: bindingId },
      },
    );
  }
  return name;
}

/**
 * A store in one directory: `<dir>/<binding id, URI-encoded>/<key>.json`
 * (an id made only of dots has its dots encoded as `%2E`). Binding ids are
 * checked (`BINDING_ID_INVALID`, see `isValidBindingId`), so no id reaches
 * outside `dir`.
 * Every write is atomic (temporary file, fsync, rename). Temporary files left
 * by a crash are ignored by reads and removed when the store first touches
 * the binding; a record that is not valid JSON is reported as `STORE_CORRUPT`,
 * never silently replaced.
 */
export class FileStore implements SyncStore {
  readonly #dir: string;
  readonly #indent: number;
  readonly #cleaned = new Set<string>();

  constructor(options: FileStoreOptions) {
    checkOptions('FileStore options', options, FILE_STORE_KEYS);
    if (typeof options?.dir !== 'string' || options.dir === '') {
      throw new ConfigError(`Expected \`dir\` to be a non-empty string, got ${JSON.stringify(options?.dir)}.`, {
        hint: 'Pass the directory where the store keeps its files.',
      });
    }
    this.#dir = resolve(options.dir);
    this.#indent = options.indent ?? 0;
  }

  /** The directory of the store. */
  get dir(): string {
    return this.#dir;
  }

  #bindingDir(bindingId: string): string {
    return join(this.#dir, directoryName(bindingId));
  }

  #file(bindingId: string, key: string): string {
    if (!KEY_PATTERN.test(key)) {
      throw new ConfigError(`Expected a record key of letters, digits, ".", "_" or "-", got ${JSON.stringify(key)}.`, {
        hint: 'Use a simple key such as "journal" or "decisions".',
      });
    }
    return join(this.#bindingDir(bindingId), `${key}.json`);
  }

  async #cleanTemps(bindingId: string): Promise<void> {
    if (this.#cleaned.has(bindingId)) return;
    this.#cleaned.add(bindingId);
    const dir = this.#bindingDir(bindingId);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    await Promise.all(names.filter((n) => n.endsWith(TEMP_SUFFIX)).map((n) => unlink(join(dir, n)).catch(() => undefined)));
  }

  /** {@inheritDoc SyncStore.getBase} */
  async getBase(bindingId: string): Promise<BaseRecord | undefined> {
    return this.getRecord<BaseRecord>(bindingId, 'base');
  }

  /** {@inheritDoc SyncStore.saveBase} */
  async saveBase(bindingId: string, record: BaseRecord): Promise<void> {
    await this.setRecord(bindingId, 'base', record);
  }

  /** {@inheritDoc SyncStore.getValidators} */
  async getValidators(bindingId: string): Promise<FetchValidators> {
    return (await this.getRecord<FetchValidators>(bindingId, 'validators')) ?? {};
  }

  /** {@inheritDoc SyncStore.saveValidators} */
  async saveValidators(bindingId: string, validators: FetchValidators): Promise<void> {
    await this.setRecord(bindingId, 'validators', validators);
  }

  /** {@inheritDoc SyncStore.getRecord} */
  async getRecord<T = unknown>(bindingId: string, key: string): Promise<T | undefined> {
    const file = this.#file(bindingId, key);
    await this.#cleanTemps(bindingId);
    let text: string;
    try {
      // Never blocks on a FIFO put where a record belongs (see openRegularFile).
      const opened = await openRegularFile(file);
      if (opened.kind === 'other') {
        throw new StoreError('STORE_READ_FAILED', `The store record ${file} is ${opened.found}, not a file the store wrote.`, {
          hint: 'Something other than the engine put it there: remove it (the binding then starts afresh) or restore the record from a backup.',
          details: { bindingId, key, found: opened.found },
        });
      }
      try {
        text = await opened.handle.readFile('utf8');
      } finally {
        await opened.handle.close().catch(() => undefined);
      }
    } catch (error) {
      if (isSyncError(error)) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StoreError('STORE_READ_FAILED', `Could not read ${file}: ${(error as Error).message}`, {
        cause: error,
        hint: 'Check that the store directory exists and is readable.',
        details: { bindingId, key },
      });
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new StoreError('STORE_CORRUPT', `The store record ${file} is not valid JSON.`, {
        cause: error,
        hint: 'Something other than the engine wrote this file. Restore it from a backup or delete it to start this binding afresh.',
        details: { bindingId, key },
      });
    }
  }

  /** {@inheritDoc SyncStore.setRecord} */
  async setRecord(bindingId: string, key: string, value: unknown): Promise<void> {
    const file = this.#file(bindingId, key);
    let text: string;
    try {
      text = JSON.stringify(value, null, this.#indent || undefined);
    } catch (error) {
      throw new StoreError('STORE_WRITE_FAILED', `The record "${key}" of "${bindingId}" is not JSON-serialisable.`, {
        cause: error,
        hint: 'Store plain JSON values only.',
      });
    }
    try {
      await mkdir(this.#bindingDir(bindingId), { recursive: true });
      await this.#cleanTemps(bindingId);
      await writeFileAtomic(file, text);
    } catch (error) {
      throw new StoreError('STORE_WRITE_FAILED', `Could not write ${file}: ${(error as Error).message}`, {
        cause: error,
        hint: 'Check free disk space and permissions of the store directory.',
        details: { bindingId, key },
      });
    }
  }

  /** {@inheritDoc SyncStore.deleteRecord} */
  async deleteRecord(bindingId: string, key: string): Promise<void> {
    const file = this.#file(bindingId, key);
    try {
      await unlink(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new StoreError('STORE_WRITE_FAILED', `Could not delete ${file}: ${(error as Error).message}`, {
        cause: error,
        hint: 'Check permissions of the store directory.',
        details: { bindingId, key },
      });
    }
  }

  /** {@inheritDoc SyncStore.deleteBinding} */
  async deleteBinding(bindingId: string): Promise<void> {
    await rm(this.#bindingDir(bindingId), { recursive: true, force: true });
    this.#cleaned.delete(bindingId);
  }
}
