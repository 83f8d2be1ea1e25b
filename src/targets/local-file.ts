/**
 * `LocalFile`: the one file a file target keeps, read and written so that a
 * save made by a person while the engine writes is never lost.
 *
 * @module
 */
import type { BigIntStats } from 'node:fs';
import { link, lstat, readdir, rename, stat, unlink } from 'node:fs/promises';
import { linkSync, lstatSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TargetError } from '../errors.js';
import { openRegularFile } from '../document/index.js';
import { syncDirectory, TEMP_SUFFIX, writeTempFile } from '../store/index.js';
import { fencedFileWrite, LOCK_SUFFIX, type FileFence } from './fence.js';

/** The suffix of the name a file is moved to for the instant of a replace (see {@link LocalFile.write}). */
export const MOVED_SUFFIX = '.als-moved';

/** What {@link LocalFile.write} reports. */
export interface LocalFileWriteReport {
  /**
   * Bytes the write replaced that were not what the last read saw: a save
   * that landed in the instant between the final check and the replace,
   * through a file handle opened before it. Never silently lost: the engine
   * keeps them in the journal.
   */
  readonly displaced?: Buffer;
}

/** Steps of a write, for crash tests (see `setLocalFileStepHook`). */
export type LocalFileStep = 'temp-written' | 'moved-away' | 'linked' | 'done';

let stepHook: ((step: LocalFileStep, path: string) => void) | undefined;

/**
 * Test-only: run `hook` at each step of every {@link LocalFile.write} (a
 * crash test kills its own process there). Not part of the public API.
 *
 * @internal
 */
export function setLocalFileStepHook(hook: ((step: LocalFileStep, path: string) => void) | undefined): void {
  stepHook = hook;
}

const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/**
 * A local file owned by a target, written compare-and-swap: `write` replaces
 * the file only while it still holds the bytes the caller read (`expected`),
 * so a save made while the engine merged and wrote is never overwritten.
 *
 * A write puts the new bytes in a synced temporary file, checks the file
 * against `expected`, then, in a few system calls, moves the file aside,
 * checks what it moved, and links the temporary file in its place with a
 * call that fails if anything appeared there meanwhile (an editor that saves
 * by renaming). Anything that changed makes the write fail with the
 * retryable `TARGET_CHANGED_DURING_WRITE` and leaves the person's file in
 * place; the engine then merges again from it. Bytes written through a file
 * handle opened before the instant of the swap are returned as
 * {@link LocalFileWriteReport.displaced}. After a crash in that instant, the
 * next read puts the moved file back; temporary files left by a crash are
 * removed by the first read.
 *
 * Reads refuse what is not a regular file (a folder, a FIFO, a device)
 * without blocking on it.
 *
 * @example
 * ```ts
 * const file = new LocalFile('/work/collection.json');
 * const before = await file.read();                           // undefined: no file yet
 * await file.write(JSON.stringify(next), before ?? null);     // TARGET_CHANGED_DURING_WRITE if it changed since
 * ```
 */
export class LocalFile {
  /** The file's absolute path. */
  readonly path: string;
  #recovered = false;

  /** @param path - the file's absolute path. */
  constructor(path: string) {
    this.path = path;
  }

  /**
   * The file's bytes, or `undefined` when there is no file. Throws
   * `TARGET_READ_FAILED` when the path is not a regular file or cannot be
   * read. The first read, and any read that finds no file, puts back a file
   * a crashed write (of this or another process) had moved aside and
   * removes temporary files.
   */
  async read(): Promise<Buffer | undefined> {
    if (!this.#recovered) {
      this.#recovered = true;
      await this.#recover();
      return this.#readBytes();
    }
    const bytes = await this.#readBytes();
    if (bytes !== undefined) return bytes;
    // No file: another process (a worker sharing the file, see fencedFileWrite) may have been killed in the instant of its swap.
    await this.#recover();
    return this.#readBytes();
  }

  /**
   * Replace the file with `data` if it still holds `expected` (`null`: if
   * there still is no file). Throws the retryable
   * `TARGET_CHANGED_DURING_WRITE` when it changed, leaving it as it is, and
   * `TARGET_WRITE_FAILED` when the file system refuses. With `fence` (a
   * target passes `context.fence`), the write runs through
   * {@link fencedFileWrite}: refused with `STALE_LEASE`, the file left as it
   * is, once a newer token wrote or claimed the file.
   */
  async write(data: string | Uint8Array, expected: Uint8Array | null, fence?: FileFence): Promise<LocalFileWriteReport> {
    if (fence !== undefined) return fencedFileWrite(this.path, fence, () => this.#write(data, expected));
    return this.#write(data, expected);
  }

  /**
   * Claim the file for `fence.token` (see {@link fencedFileWrite}, which this
   * calls with a write that does nothing): from now on a write with an older
   * token is refused with `STALE_LEASE`. Throws `STALE_LEASE` when a newer
   * token claimed or wrote it already. A target calls it from its `claim`.
   */
  async claim(fence: FileFence): Promise<void> {
    // No `confirm`: a claim never lets an older token in, whoever holds the lease now.
    const claim: FileFence = {
      token: fence.token,
      ...(fence.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: fence.lockTimeoutMs }),
      ...(fence.staleLockMs === undefined ? {} : { staleLockMs: fence.staleLockMs }),
    };
    await fencedFileWrite(this.path, claim, async () => undefined);
  }

  async #write(data: string | Uint8Array, expected: Uint8Array | null): Promise<LocalFileWriteReport> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : toBuffer(data);
    let temp: string;
    try {
      const mode = await stat(this.path).then(
        (s) => s.mode & 0o7777,
        () => 0o644,
      );
      temp = await writeTempFile(this.path, bytes, mode);
    } catch (error) {
      throw this.#writeFailed(error);
    }
    try {
      stepHook?.('temp-written', this.path);
      const report = expected === null ? await this.#create(temp) : await this.#replace(temp, toBuffer(expected));
      stepHook?.('done', this.path);
      await syncDirectory(dirname(this.path));
      return report;
    } catch (error) {
      throw error instanceof TargetError ? error : this.#writeFailed(error);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  /** The file was absent when read: create it, unless something else did meanwhile. */
  async #create(temp: string): Promise<LocalFileWriteReport> {
    try {
      await link(temp, this.path);
      stepHook?.('linked', this.path);
      return {};
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw this.#changed('it was created');
      if (code === undefined || !LINK_UNSUPPORTED.has(code)) throw error;
    }
    // No hard links here: the best this file system allows.
    if ((await this.#readBytes()) !== undefined) throw this.#changed('it was created');
    await rename(temp, this.path);
    return {};
  }

  /** Swap `temp` in for the file, which must still hold `expected`. */
  async #replace(temp: string, expected: Buffer): Promise<LocalFileWriteReport> {
    // Outside the critical section: the (slower) byte comparison, with the stat it was made against.
    const before = await lstat(this.path, { bigint: true }).catch(() => undefined);
    const current = await this.#readBytes();
    if (current === undefined || before === undefined) throw this.#changed('it was deleted');
    if (!current.equals(expected)) throw this.#changed('it was saved');

    // The critical section: synchronous calls back to back, no await in between.
    const moved = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${Date.now().toString(36)}${MOVED_SUFFIX}`);
    try {
      renameSync(this.path, moved);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw this.#changed('it was deleted');
      throw error;
    }
    let movedStat: BigIntStats;
    try {
      stepHook?.('moved-away', this.path);
      movedStat = lstatSync(moved, { bigint: true });
      if (!sameVersion(movedStat, before) && !readFileSync(moved).equals(expected)) {
        this.#putBack(moved);
        throw this.#changed('it was saved');
      }
      try {
        linkSync(temp, this.path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // An editor saved by renaming while the file was aside: its save stays; what we moved is the version we read.
        if (code === 'EEXIST') {
          unlinkSync(moved);
          throw this.#changed('it was saved');
        }
        if (code === undefined || !LINK_UNSUPPORTED.has(code)) throw error;
        renameSync(temp, this.path);
      }
      stepHook?.('linked', this.path);
    } catch (error) {
      if (error instanceof TargetError) throw error;
      this.#putBack(moved);
      throw error;
    }
    // Written through a handle opened before the swap: keep those bytes.
    const after = lstatSync(moved, { bigint: true });
    const displaced = sameVersion(after, movedStat) ? undefined : readFileSync(moved);
    unlinkSync(moved);
    return displaced === undefined || displaced.equals(expected) ? {} : { displaced };
  }

  /** Put a moved file back where it was, unless a newer file is there now. */
  #putBack(moved: string): void {
    try {
      linkSync(moved, this.path);
    } catch {
      // A newer file is in place (a person saved again): theirs stays.
    }
    try {
      unlinkSync(moved);
    } catch {
      // Gone already.
    }
  }

  /** After a crash: put back a file moved aside for a swap that never finished; remove temporary files. */
  async #recover(): Promise<void> {
    const dir = dirname(this.path);
    const prefix = `.${basename(this.path)}.`;
    let names: string[];
    try {
      // Not the temporary files of a fence's lock (`.<name>.als-lock.<nonce>.als-tmp`): another writer may be taking it.
      names = (await readdir(dir)).filter(
        (n) =>
          n.startsWith(prefix) &&
          !n.startsWith(`${prefix}${LOCK_SUFFIX.slice(1)}.`) &&
          (n.endsWith(TEMP_SUFFIX) || n.endsWith(MOVED_SUFFIX)),
      );
    } catch {
      return;
    }
    const moved = names.filter((n) => n.endsWith(MOVED_SUFFIX)).map((n) => join(dir, n));
    if (
      moved.length > 0 &&
      (await lstat(this.path).then(
        () => false,
        () => true,
      ))
    ) {
      const newest = (await Promise.all(moved.map(async (p) => ({ p, at: (await lstat(p)).mtimeMs })))).sort((a, b) => b.at - a.at)[0]!;
      await link(newest.p, this.path).catch(() => undefined);
    }
    await Promise.all(names.map((n) => unlink(join(dir, n)).catch(() => undefined)));
  }

  /** The bytes now at the path, `undefined` when absent; never blocks on a FIFO. */
  async #readBytes(): Promise<Buffer | undefined> {
    let opened;
    try {
      opened = await openRegularFile(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#readFailed(error);
    }
    if (opened.kind === 'other') {
      throw new TargetError('TARGET_READ_FAILED', `Expected a regular file at ${this.path}, found ${opened.found}.`, {
        hint: 'Point the target at a file path (it is created on the first sync).',
        details: { path: this.path, found: opened.found },
      });
    }
    try {
      return await opened.handle.readFile();
    } catch (error) {
      throw this.#readFailed(error);
    } finally {
      await opened.handle.close().catch(() => undefined);
    }
  }

  #changed(what: string): TargetError {
    return new TargetError(
      'TARGET_CHANGED_DURING_WRITE',
      `The local file ${this.path} changed while the sync was writing it (${what}); it was left as it is.`,
      {
        retryable: true,
        hint: 'Nothing to do: the next attempt merges your latest save.',
        details: { path: this.path },
      },
    );
  }

  #readFailed(error: unknown): TargetError {
    return new TargetError('TARGET_READ_FAILED', `Could not read the local file ${this.path}: ${(error as Error).message}`, {
      cause: error,
      hint: 'Check that the path is a file and that it is readable.',
      details: { path: this.path },
    });
  }

  #writeFailed(error: unknown): TargetError {
    return new TargetError('TARGET_WRITE_FAILED', `Could not write the local file ${this.path}: ${(error as Error).message}`, {
      cause: error,
      retryable: true,
      hint: 'Check free disk space and that the directory exists and is writable.',
      details: { path: this.path },
    });
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Same file, same size, same modification time (nanoseconds). */
function sameVersion(a: BigIntStats, b: BigIntStats): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeNs === b.mtimeNs;
}
