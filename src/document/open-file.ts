/**
 * Open a user-given path for reading without ever blocking on it. Opening a
 * FIFO for reading blocks until a writer comes, in libuv's thread pool where
 * no abort signal reaches it; four such opens stall every file operation of
 * the process, and even `process.exit()` then waits for them. So: look
 * first (`stat`, or `lstat` when symlinks are refused), refuse what is not a
 * regular file, open with `O_NONBLOCK` (a FIFO swapped in since the look
 * opens at once instead of blocking), and look again at what was opened.
 *
 * @module
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, stat, type FileHandle } from 'node:fs/promises';

/** Options of {@link openRegularFile}. */
export interface OpenRegularFileOptions {
  /**
   * Refuse a symbolic link as the last step of `path`: `lstat` and
   * `O_NOFOLLOW`, so the open rejects with `ELOOP`. Default false (follow).
   */
  noFollow?: boolean;
}

/**
 * What {@link openRegularFile} found: a regular file, opened (the caller
 * closes `handle`), or something else, not opened (`found` says what, for
 * messages: `"a folder"`, `"a FIFO (named pipe)"`, `"a socket"`, …).
 */
export type RegularFileOpening =
  { readonly kind: 'file'; readonly handle: FileHandle; readonly stats: Stats } | { readonly kind: 'other'; readonly found: string };

/**
 * Open `path` read-only if, and only if, it is a regular file, without
 * blocking on a FIFO, a socket or a device. File system errors (`ENOENT`,
 * `EACCES`, `ELOOP`, …) reject as Node's errors; the caller maps them, and
 * `kind: 'other'`, to its own typed error.
 *
 * @example
 * ```ts
 * const opened = await openRegularFile('openapi.yaml');
 * if (opened.kind === 'other') throw new TargetError('TARGET_INVALID', `openapi.yaml is ${opened.found}`);
 * try { return await opened.handle.readFile(); } finally { await opened.handle.close(); }
 * ```
 */
export async function openRegularFile(path: string, options: OpenRegularFileOptions = {}): Promise<RegularFileOpening> {
  const noFollow = options.noFollow === true;
  const before = noFollow ? await lstat(path) : await stat(path);
  // A symlink (only seen with noFollow) goes on to the open, whose O_NOFOLLOW refuses it.
  if (!before.isFile() && !before.isSymbolicLink()) return { kind: 'other', found: describeKind(before) };
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (noFollow ? (constants.O_NOFOLLOW ?? 0) : 0);
  const handle = await open(path, flags);
  let stats: Stats;
  try {
    stats = await handle.stat();
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  if (!stats.isFile()) {
    await handle.close().catch(() => undefined);
    return { kind: 'other', found: describeKind(stats) };
  }
  return { kind: 'file', handle, stats };
}

/** What a file system entry that is not a regular file is, for messages. */
function describeKind(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'something that is not a regular file';
}
