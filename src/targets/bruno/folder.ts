/**
 * `BrunoFolder`: the files of a Bruno collection folder that a target owns
 * (`bruno.json` and every `.bru` file), read together and written together
 * with a journal, so that a write that fails or is killed midway leaves the
 * folder as it was.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rmdir, unlink } from 'node:fs/promises';
import { readFile as readFileWithCallback, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import { TargetError } from '../../errors.js';
import { syncDirectory, TEMP_SUFFIX, writeFileAtomic, writeTempFile } from '../../store/index.js';

/** The files of a collection folder: relative paths (`/`-separated) to their bytes. */
export type FolderFiles = ReadonlyMap<string, Buffer>;

/**
 * `fs.readFile` with a callback, as a promise: for the hundreds of small
 * files of a collection about 5x faster than `fs/promises`' `readFile`,
 * which takes several trips through the thread pool per file (see
 * docs/bruno.md, Performance).
 */
const readSmallFile = promisify(readFileWithCallback);

/** The journal a write keeps in the folder while it replaces files; its presence means a write did not finish. */
export const BRUNO_JOURNAL_FILE = '.als-journal.json';

/** Folders a read never enters: dependencies and version control, besides every folder whose name starts with a dot. */
const SKIPPED_FOLDERS = new Set(['node_modules']);

/** Steps of a write, for crash tests (see `setBrunoFolderStepHook`). */
export type BrunoFolderStep = 'journal-written' | 'applied' | 'done';

let stepHook: ((step: BrunoFolderStep, path: string) => void) | undefined;

/**
 * Test-only: run `hook` at each step of every {@link BrunoFolder.write}
 * (`applied` once per file replaced; a crash test kills its own process there).
 *
 * @internal
 */
export function setBrunoFolderStepHook(hook: ((step: BrunoFolderStep, path: string) => void) | undefined): void {
  stepHook = hook;
}

/** One file a write changes, as the journal records it. */
interface JournalChange {
  /** The file, relative to the folder. */
  path: string;
  /** Its bytes before the write (base64), or `null` when it did not exist. */
  before: string | null;
  /** SHA-256 of its bytes after the write, or `null` when the write deletes it. */
  after: string | null;
  /** The temporary file holding the new bytes (relative), or `null` for a deletion. */
  temp: string | null;
}

interface Journal {
  v: 1;
  changes: JournalChange[];
}

/** Whether `path` (relative, `/`-separated) is a file the target owns. */
export function isFolderFile(path: string): boolean {
  return path === 'bruno.json' || path.endsWith('.bru');
}

/**
 * The files of a Bruno collection folder that a target owns, written as one
 * change. A write:
 *
 * 1. checks that every owned file still holds what the caller read (else the
 *    retryable `TARGET_CHANGED_DURING_WRITE`, nothing touched);
 * 2. writes each new or changed file to a synced temporary file beside it;
 * 3. writes the journal (`.als-journal.json`, atomically): each file's
 *    bytes before, a hash of its bytes after, its temporary file;
 * 4. renames the temporary files into place and deletes the files that go,
 *    checking each file once more just before it is replaced;
 * 5. removes the journal.
 *
 * When a step fails, what was replaced is put back and the journal removed.
 * When the process dies between 3 and 5, the first read of the next process
 * finds the journal and puts every file back that still holds what the
 * interrupted write put there (a file a person saved since is left alone).
 * Either way the folder holds what it held before the write, or the whole
 * write. Why a journal rather than a whole second folder swapped in: the
 * folder holds the user's own files too (`.env`, `.git`, scripts, lock
 * files), Bruno watches it while it is open, and Linux has no atomic swap of
 * two folders in Node; a journal replaces only the files that change.
 */
export class BrunoFolder {
  /** The folder's absolute path. */
  readonly dir: string;
  #recovered = false;

  /** @param dir - the folder's absolute path. */
  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * The owned files, or `undefined` when the folder has none (no folder, or
   * one without `bruno.json` and `.bru` files). The first read settles a
   * write a crash interrupted (see the class).
   */
  async read(): Promise<Map<string, Buffer> | undefined> {
    if (!this.#recovered) {
      await this.recover();
      this.#recovered = true;
    }
    const files = await this.#readAll();
    return files.size === 0 ? undefined : files;
  }

  /**
   * Replace the owned files with `files` (owned files not in it are
   * deleted) if they still are `expected` (`null`: if there still are none).
   */
  async write(files: FolderFiles, expected: FolderFiles | null): Promise<void> {
    for (const path of files.keys()) checkPath(path);
    const current = await this.#readAll();
    if (!sameFiles(current, expected ?? new Map())) throw this.#changed(describeDifference(expected ?? new Map(), current));
    const changes: JournalChange[] = [];
    const temps: string[] = [];
    try {
      for (const [path, bytes] of files) {
        const before = current.get(path);
        if (before !== undefined && before.equals(bytes)) continue;
        const absolute = this.#abs(path);
        await mkdir(dirname(absolute), { recursive: true });
        const temp = await writeTempFile(absolute, bytes);
        temps.push(temp);
        changes.push({
          path,
          before: before === undefined ? null : before.toString('base64'),
          after: hash(bytes),
          temp: relativeTo(this.dir, temp),
        });
      }
      for (const [path, before] of current) {
        if (!files.has(path)) changes.push({ path, before: before.toString('base64'), after: null, temp: null });
      }
    } catch (error) {
      await Promise.all(temps.map((temp) => unlink(temp).catch(() => undefined)));
      throw this.#writeFailed(error);
    }
    if (changes.length === 0) return;
    try {
      await writeFileAtomic(this.#abs(BRUNO_JOURNAL_FILE), JSON.stringify({ v: 1, changes } satisfies Journal));
    } catch (error) {
      await Promise.all(temps.map((temp) => unlink(temp).catch(() => undefined)));
      throw this.#writeFailed(error);
    }
    stepHook?.('journal-written', this.dir);
    const applied: JournalChange[] = [];
    try {
      for (const change of changes) {
        const absolute = this.#abs(change.path);
        // The last check, right before the replace: a save that landed since the first one stops the write.
        const now = readOrUndefined(absolute);
        const was = expected?.get(change.path);
        if (!(now === undefined ? was === undefined : was !== undefined && now.equals(was)))
          throw this.#changed(`${change.path} was saved`);
        if (change.temp === null) unlinkSync(absolute);
        else renameSync(this.#abs(change.temp), absolute);
        applied.push(change);
        stepHook?.('applied', change.path);
      }
    } catch (error) {
      await this.#undo(applied, changes);
      throw error instanceof TargetError ? error : this.#writeFailed(error);
    }
    const folders = new Set(changes.map((change) => dirname(this.#abs(change.path))));
    for (const folder of folders) await syncDirectory(folder);
    await unlink(this.#abs(BRUNO_JOURNAL_FILE));
    await syncDirectory(this.dir);
    await this.#pruneEmpty(changes.filter((c) => c.after === null).map((c) => c.path));
    stepHook?.('done', this.dir);
  }

  /**
   * Settle a write a crash interrupted: put back every file that still holds
   * what it wrote, remove its temporary files and the journal. `read` calls
   * it once; call it yourself to settle a folder without reading it.
   */
  async recover(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.#abs(BRUNO_JOURNAL_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw this.#readFailed(error);
      // No journal: at most temporary files of a write that died before writing it.
      const temps: string[] = [];
      await this.#readAll(temps);
      await Promise.all(temps.map((temp) => unlink(this.#abs(temp)).catch(() => undefined)));
      return;
    }
    let journal: Journal;
    try {
      journal = JSON.parse(text) as Journal;
      if (journal.v !== 1 || !Array.isArray(journal.changes)) throw new Error('unknown journal format');
      for (const change of journal.changes) {
        checkPath(change.path);
        const folder = change.path.includes('/') ? `${change.path.slice(0, change.path.lastIndexOf('/'))}/` : '';
        if (
          change.temp !== null &&
          !(change.temp.startsWith(`${folder}.`) && change.temp.endsWith(TEMP_SUFFIX) && !change.temp.slice(folder.length).includes('/'))
        )
          throw new Error(`unexpected temporary file ${JSON.stringify(change.temp)}`);
      }
    } catch (error) {
      throw new TargetError(
        'TARGET_INVALID',
        `The write journal ${this.#abs(BRUNO_JOURNAL_FILE)} cannot be read: ${(error as Error).message}.`,
        {
          cause: error,
          hint: 'A write of api-live-sync was interrupted and its journal is damaged: check the folder (git status), then delete the journal file.',
          details: { path: this.#abs(BRUNO_JOURNAL_FILE) },
        },
      );
    }
    await this.#undo(journal.changes, journal.changes);
  }

  /** Put back the files of `applied` that hold what the write put there; remove the temporary files of `all` and the journal. */
  async #undo(applied: readonly JournalChange[], all: readonly JournalChange[]): Promise<void> {
    for (const change of [...applied].reverse()) {
      const absolute = this.#abs(change.path);
      const now = readOrUndefined(absolute);
      const ours = change.after === null ? now === undefined : now !== undefined && hash(now) === change.after;
      if (!ours) continue;
      if (change.before === null) await unlink(absolute).catch(() => undefined);
      else {
        await mkdir(dirname(absolute), { recursive: true });
        await writeFileAtomic(absolute, Buffer.from(change.before, 'base64'));
      }
    }
    for (const change of all) if (change.temp !== null) await unlink(this.#abs(change.temp)).catch(() => undefined);
    await unlink(this.#abs(BRUNO_JOURNAL_FILE)).catch(() => undefined);
    await syncDirectory(this.dir);
    await this.#pruneEmpty(applied.filter((c) => c.before === null).map((c) => c.path));
  }

  /** Remove folders that the deletion of `paths` left empty (never the collection folder itself). */
  async #pruneEmpty(paths: readonly string[]): Promise<void> {
    const folders = [...new Set(paths.flatMap((path) => ancestors(path)))].sort((a, b) => b.length - a.length);
    for (const folder of folders) await rmdir(this.#abs(folder)).catch(() => undefined);
  }

  async #readAll(temps?: string[]): Promise<Map<string, Buffer>> {
    const files = new Map<string, Buffer>();
    const visit = async (relative: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(relative === '' ? this.dir : this.#abs(relative), { withFileTypes: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (relative === '' && code === 'ENOENT') return;
        if (relative === '' && code === 'ENOTDIR') {
          throw new TargetError('TARGET_READ_FAILED', `Expected a folder at ${this.dir}, found a file.`, {
            hint: 'Point the Bruno target at a collection folder (it is created on the first sync).',
            details: { path: this.dir },
          });
        }
        throw this.#readFailed(error);
      }
      // The files of a folder are read together (a collection has hundreds); the map is filled in name order.
      const found = await Promise.all(
        entries
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          .map(async (entry): Promise<[string, Buffer] | undefined> => {
            const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
            if (entry.isDirectory()) {
              if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) await visit(path);
            } else if (temps !== undefined && entry.isFile() && entry.name.startsWith('.') && entry.name.endsWith(TEMP_SUFFIX)) {
              temps.push(path);
            } else if (entry.isFile() && isFolderFile(path) && !entry.name.startsWith('.')) {
              try {
                return [path, await readSmallFile(this.#abs(path))];
              } catch (error) {
                if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw this.#readFailed(error);
              }
            }
            return undefined;
          }),
      );
      for (const entry of found) if (entry !== undefined) files.set(entry[0], entry[1]);
    };
    await visit('');
    return files;
  }

  #abs(path: string): string {
    return join(this.dir, ...path.split('/'));
  }

  #changed(what: string): TargetError {
    return new TargetError(
      'TARGET_CHANGED_DURING_WRITE',
      `The Bruno collection ${this.dir} changed while the sync was writing it (${what}); it was left as it is.`,
      { retryable: true, hint: 'Nothing to do: the next attempt merges your latest save.', details: { path: this.dir } },
    );
  }

  #readFailed(error: unknown): TargetError {
    return new TargetError('TARGET_READ_FAILED', `Could not read the Bruno collection ${this.dir}: ${(error as Error).message}`, {
      cause: error,
      hint: 'Check that the path is a folder and that it is readable.',
      details: { path: this.dir },
    });
  }

  #writeFailed(error: unknown): TargetError {
    return new TargetError('TARGET_WRITE_FAILED', `Could not write the Bruno collection ${this.dir}: ${(error as Error).message}`, {
      cause: error,
      retryable: true,
      hint: 'Check free disk space and that the folder is writable; the folder was left as it was.',
      details: { path: this.dir },
    });
  }
}

/**
 * The owned files of a folder as one byte string (what the target's
 * `snapshot` gives the journal): JSON of the relative paths, sorted, to
 * their text (or base64 for bytes that are not UTF-8).
 */
export function encodeFolderFiles(files: FolderFiles): Buffer {
  const out: Record<string, string | { base64: string }> = {};
  for (const path of [...files.keys()].sort()) {
    const bytes = files.get(path) as Buffer;
    const text = bytes.toString('utf8');
    out[path] = Buffer.from(text, 'utf8').equals(bytes) ? text : { base64: bytes.toString('base64') };
  }
  return Buffer.from(JSON.stringify({ brunoFolder: 1, files: out }));
}

/** The files {@link encodeFolderFiles} encoded; a `TargetError` `TARGET_INVALID` for bytes it did not make. */
export function decodeFolderFiles(bytes: Uint8Array): Map<string, Buffer> {
  let value: { brunoFolder?: unknown; files?: unknown };
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof value;
  } catch {
    value = {};
  }
  if (value?.brunoFolder !== 1 || value.files === null || typeof value.files !== 'object') {
    throw new TargetError('TARGET_INVALID', 'Expected the snapshot of a Bruno collection folder, got other bytes.', {
      hint: 'These bytes were not made by the Bruno target: roll back with the binding that wrote them.',
    });
  }
  const files = new Map<string, Buffer>();
  for (const [path, content] of Object.entries(value.files as Record<string, unknown>)) {
    checkPath(path);
    if (typeof content === 'string') files.set(path, Buffer.from(content, 'utf8'));
    else if (content !== null && typeof content === 'object' && typeof (content as { base64?: unknown }).base64 === 'string')
      files.set(path, Buffer.from((content as { base64: string }).base64, 'base64'));
    else
      throw new TargetError('TARGET_INVALID', `The snapshot of a Bruno folder holds no bytes for ${path}.`, {
        hint: 'Roll back to another entry.',
      });
  }
  return files;
}

function checkPath(path: string): void {
  const parts = path.split('/');
  if (
    !isFolderFile(path) ||
    parts.some((part) => part === '' || part === '.' || part === '..' || part.startsWith('.') || part.includes('\\') || part.includes('\0'))
  ) {
    throw new TargetError(
      'TARGET_INVALID',
      `Refusing to write ${JSON.stringify(path)} in a Bruno collection: not a collection file path.`,
      {
        hint: 'Only bruno.json and .bru files inside the collection folder are written; report this with the documents.',
      },
    );
  }
}

function sameFiles(a: FolderFiles, b: FolderFiles): boolean {
  if (a.size !== b.size) return false;
  for (const [path, bytes] of a) {
    const other = b.get(path);
    if (other === undefined || !other.equals(bytes)) return false;
  }
  return true;
}

function describeDifference(expected: FolderFiles, current: FolderFiles): string {
  for (const [path, bytes] of current) {
    const was = expected.get(path);
    if (was === undefined) return `${path} was created`;
    if (!was.equals(bytes)) return `${path} was saved`;
  }
  for (const path of expected.keys()) if (!current.has(path)) return `${path} was deleted`;
  return 'it changed';
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function hash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function relativeTo(dir: string, path: string): string {
  return path
    .slice(dir.length + 1)
    .split(sep)
    .join('/');
}

/** The folders above a relative file path, innermost first (`a/b/c.bru` → `a/b`, `a`). */
function ancestors(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/'));
}
